using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>
/// The real Keeper provider inside the standalone host, over HTTP as docs/api.md says, against the fake server: connect
/// with a one-time token → list → sync → run credentials from the cache → re-connect in place, and the error paths.
/// The host is configured as the acceptance checks configure it: the server's key by the settings, the door open.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class KeeperEndToEndTests : IAsyncLifetime
{
    private FakeKeeperServer _server = null!;
    private KeeperStandardData _data = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        (_server, _data, _host) = await KeeperHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<HttpResponseMessage> ConnectAsync(string apiKey, string token) =>
        _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject { ["provider"] = "keeper", ["token"] = token });

    private void AssertNoSecretLeaked(IEnumerable<string> extra, params string[] bodies)
    {
        var text = _host.Logs.All + string.Join("\n", bodies);
        foreach (var secret in _data.SecretStrings().Concat(extra).Append(FakeKeeperCrypto.B64(_data.Application.AppKey)))
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), "A Keeper secret appeared in a log line or a response.");
        }
    }

    [Fact]
    public async Task Devices_of_one_application_share_its_resync_budget_and_another_application_has_its_own()
    {
        var other = _server.CreateApplication("Another team");
        var (first, firstKey) = await _host.CreateAccountAsync("fleet-a");
        var (second, secondKey) = await _host.CreateAccountAsync("fleet-b");
        var sameAppA = await ConnectionIdAsync(firstKey, _server.MintToken(_data.Application));
        var otherApp = await ConnectionIdAsync(firstKey, _server.MintToken(other));
        var sameAppB1 = await ConnectionIdAsync(secondKey, _server.MintToken(_data.Application));
        var sameAppB2 = await ConnectionIdAsync(secondKey, _server.MintToken(_data.Application));

        var store = _host.Services.GetRequiredService<Vault.Core.Connections.ConnectionStore>();
        var budgets = _host.Services.GetRequiredService<Vault.Core.Resync.SyncBudgets>();
        var now = DateTimeOffset.UtcNow;
        async Task<string> BudgetOf(string account, string connectionId) =>
            budgets.WindowFor((await store.GetAsync(account, connectionId, CancellationToken.None))!, now).Key;

        // Two devices (two tokens, two client ids) of one application in one tenant: one budget, as Keeper's limits go.
        Assert.Equal(await BudgetOf(second, sameAppB1), await BudgetOf(second, sameAppB2));
        Assert.NotEqual(await BudgetOf(first, sameAppA), await BudgetOf(first, otherApp));
        // Never across tenants, and the name tells nothing of the application key.
        Assert.NotEqual(await BudgetOf(first, sameAppA), await BudgetOf(second, sameAppB1));
        var scope = (await store.GetAsync(second, sameAppB1, CancellationToken.None))!.BudgetScope!;
        Assert.DoesNotContain(Convert.ToHexStringLower(_data.Application.AppKey)[..16], scope);
        AssertNoSecretLeaked([], scope);
    }

    [Fact]
    public async Task Disconnecting_right_after_connect_forgets_the_tokens_pending_binding_too()
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync("forget");
        var token = _server.MintToken(_data.Application);
        var connectionId = await ConnectionIdAsync(apiKey, token);
        var secrets = _host.Services.GetRequiredService<Vault.Core.Storage.ISecretStore>();
        var pending = Vault.Core.Providers.Keeper.PendingBinding.NameFor(accountId, Vault.Core.Providers.Keeper.KeeperCredentialInput.Parse(token, true).ClientId);
        Assert.NotNull(await secrets.GetAsync(pending, CancellationToken.None)); // kept until a sync from the stored connection
        _server.ClearRequests();

        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connectionId}", apiKey), 200);

        Assert.Null(await secrets.GetAsync(pending, CancellationToken.None));
        Assert.Empty(_server.Requests);
    }

    private async Task<string> ConnectionIdAsync(string apiKey, string token) =>
        (await HttpAssert.Status(await ConnectAsync(apiKey, token), 201))!["connectionId"]!.GetValue<string>();

    [Fact]
    public async Task Connect_list_sync_run_reconnect_and_delete()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var token = _server.MintToken(_data.Application);
        var connection = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 201))!;
        var connectionId = connection["connectionId"]!.GetValue<string>();
        Assert.Equal("keeper", connection["provider"]!.GetValue<string>());
        Assert.Equal("Agents fleet", connection["label"]!.GetValue<string>());
        Assert.Equal("https://" + _server.Address, connection["serverUrl"]!.GetValue<string>());
        Assert.Equal(2, _server.Requests.Count); // the binding and the read that confirms it
        Assert.Empty(_server.Problems);

        var items = connection["items"]!.AsArray();
        Assert.Equal(["AWS Console", "Build server", "GitHub", "Jira — 日本", "Newsletter"], items.Select(i => i!["label"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        var github = items.Single(i => i!["label"]!.GetValue<string>() == "GitHub")!;
        Assert.Equal($"cred:{connectionId}:app:{_data.GitHub.Uid}", github["itemId"]!.GetValue<string>());
        Assert.Equal("octo-keeper", github["username"]!.GetValue<string>());
        Assert.True(github["hasTotp"]!.GetValue<bool>());
        Assert.Equal(["https://github.com/login", "https://gist.github.com"], github["urls"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Contains(github["fieldMetadata"]!.AsArray(), f => f!["label"]!.GetValue<string>() == "Environment");
        Assert.Equal("ユーザー", items.Single(i => i!["label"]!.GetValue<string>() == "Jira — 日本")!["username"]!.GetValue<string>());
        Assert.Equal("Développement 🚀", items.Single(i => i!["label"]!.GetValue<string>() == "Jira — 日本")!["vaultName"]!.GetValue<string>());

        // Edited and removed records across a sync: one request.
        _data.GitHub.Edit(d => d["title"] = "GitHub (work)");
        lock (_data.Application.Records)
        {
            _data.Application.Records.Remove(_data.EmailOnly);
        }

        _server.ClearRequests();
        var sync = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200))!;
        Assert.Equal(1, sync["sync_summary"]!["updated"]!.GetValue<int>());
        Assert.Equal(1, sync["sync_summary"]!["removed"]!.GetValue<int>());
        var request = Assert.Single(_server.Requests);
        Assert.DoesNotContain("publicKey", request.Payload!, StringComparison.Ordinal);

        // The same token again, now that the connection holds its device: refused, it is used.
        await HttpAssert.Error(await ConnectAsync(apiKey, token), 400, "INVALID_VAULT_TOKEN");
        Assert.Equal("active", (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!["status"]!.GetValue<string>());

        // A run reads the cache: no Keeper request, even while Keeper throttles.
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["url"] = "https://github.com/login", ["goal"] = "open a pull request", ["use_vault"] = true,
            ["credential_item_ids"] = new JsonArray(github["itemId"]!.GetValue<string>()),
        }), 201))!;
        _server.Fail(new KeeperFault { Kind = KeeperFaultKind.Throttled });
        _server.ClearRequests();
        using (var credentialsRequest = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials"))
        {
            credentialsRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            var credential = (await HttpAssert.Status(await _host.Client.SendAsync(credentialsRequest), 200))!["credentials"]!.AsArray().Single()!;
            Assert.Equal(KeeperStandardData.GitHubPassword, credential["password"]!.GetValue<string>());
            Assert.Equal(Vault.Core.Runs.TotpGenerator.Compute(KeeperStandardData.GitHubTotp, DateTimeOffset.UtcNow)!.Code.Length, credential["totp"]!["code"]!.GetValue<string>().Length);
        }

        Assert.Empty(_server.Requests);

        // Throttled: 503 with Retry-After, the connection stays active with its cache.
        var throttled = await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject());
        Assert.NotNull(throttled.Headers.RetryAfter);
        await HttpAssert.Error(throttled, 503, "VAULT_UNAVAILABLE");
        _server.ClearFaults();
        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!;
        Assert.Equal("active", listed["connections"]![0]!["status"]!.GetValue<string>());
        Assert.Equal(4, (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray().Count);

        AssertNoSecretLeaked([token[(token.LastIndexOf(':') + 1)..]], connection.ToJsonString(), sync.ToJsonString(), run.ToJsonString());
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connectionId}", apiKey), 200);
    }

    [Fact]
    public async Task A_connect_whose_binding_answer_was_lost_is_completed_by_the_same_token()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var token = _server.MintToken(_data.Application);
        _server.Fail(new KeeperFault { Kind = KeeperFaultKind.LoseAnswer, Binding = true, Remaining = 1 });
        await HttpAssert.Error(await ConnectAsync(apiKey, token), 503, "VAULT_UNAVAILABLE");
        var client = Assert.Single(_server.Clients, c => c.BoundPublicKey is not null); // Keeper bound it; we never heard

        var created = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 201))!;
        Assert.Equal(2, client.Bindings);
        Assert.True(client.Confirmed);
        // A client that lost this answer too retries once more: the same connection, re-connected in place.
        var again = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 200))!;
        Assert.Equal(created["connectionId"]!.GetValue<string>(), again["connectionId"]!.GetValue<string>());
        Assert.Empty(_server.Problems);
        AssertNoSecretLeaked([token[(token.LastIndexOf(':') + 1)..]], created.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task A_configuration_re_connects_in_place_by_client_id()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var token = _server.MintToken(_data.Application);
        var created = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 201))!;
        // The device configuration the SDK would keep for that client id: take it from the fake's view of the binding.
        var client = _server.Clients.Single(c => c.BoundPublicKey is not null);
        var sdkToken = _server.MintToken(_data.Application);
        var sdk = await KeeperSdkJudge.ReadAsync(_server, 10, 0, "bind", sdkToken[(sdkToken.LastIndexOf(':') + 1)..], _server.Address);
        var config = sdk.GetProperty("config").GetString()!;

        var other = (await HttpAssert.Status(await ConnectAsync(apiKey, config), 201))!; // another client id: another connection
        Assert.NotEqual(created["connectionId"]!.GetValue<string>(), other["connectionId"]!.GetValue<string>());
        var again = (await HttpAssert.Status(await ConnectAsync(apiKey, config), 200))!;
        Assert.Equal(other["connectionId"]!.GetValue<string>(), again["connectionId"]!.GetValue<string>());
        Assert.NotNull(client.ClientId);
        AssertNoSecretLeaked([config, Encoding.UTF8.GetString(Convert.FromBase64String(config))], created.ToJsonString(), other.ToJsonString(), again.ToJsonString());
    }

    [Fact]
    public async Task Refused_tokens_and_a_revoked_application()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        Assert.Contains("token", await HttpAssert.Error(await ConnectAsync(apiKey, "US"), 400, "INVALID_INPUT"));
        Assert.Contains("token", await HttpAssert.Error(await ConnectAsync(apiKey, "US:c2hvcnQ"), 400, "INVALID_INPUT"));
        Assert.Empty(_server.Requests);
        var unknown = _server.Address + ":" + FakeKeeperCrypto.B64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await HttpAssert.Error(await ConnectAsync(apiKey, unknown), 400, "INVALID_VAULT_TOKEN");

        await HttpAssert.Status(await ConnectAsync(apiKey, _server.MintToken(_data.Application)), 201);
        _data.Application.Revoked = true;
        var refused = await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject());
        Assert.False(refused.IsSuccessStatusCode);
        var connections = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!;
        Assert.Equal("reconnect_required", connections["connections"]![0]!["status"]!.GetValue<string>());
        AssertNoSecretLeaked([]);
    }
}
