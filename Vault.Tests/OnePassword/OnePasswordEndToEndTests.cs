using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>
/// The real 1Password provider inside the standalone host, driven over HTTP as API.md says, against the fake server:
/// connect → list → sync → run credentials (live secret read) → delete, and the error paths.
/// </summary>
public sealed class OnePasswordEndToEndTests : IAsyncLifetime
{
    private FakeOnePasswordServer _server = null!;
    private FakeOnePasswordAccount _account = null!;
    private StandardData _data = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOnePasswordServer.StartAsync();
        _account = _server.CreateAccount();
        _data = StandardData.Seed(_account);
        _host = await VaultTestHost.StartAsync(
            new Dictionary<string, string> { ["Vault:OnePassword:PrivateCaPem"] = _server.Ca.CaPem }, useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<HttpResponseMessage> ConnectAsync(string apiKey, string token) =>
        _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject { ["provider"] = "1password", ["token"] = token });

    private void AssertNoSecretLeaked(params string[] bodies)
    {
        var text = _host.Logs.All + string.Join("\n", bodies);
        foreach (var secret in _account.SecretStrings().Append(_account.MintToken()[4..40]))
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), "A 1Password secret appeared in a log line or a response.");
        }
    }

    [Fact]
    public async Task Connect_list_sync_run_and_delete()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var token = _account.MintToken();

        var connection = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 201))!;
        var connectionId = connection["connectionId"]!.GetValue<string>();
        Assert.Equal("1password", connection["provider"]!.GetValue<string>());
        Assert.Equal("active", connection["status"]!.GetValue<string>());
        Assert.Equal(_account.Email, connection["label"]!.GetValue<string>());
        Assert.Equal(["Acme Corp", "Personal"], connection["vaults"]!.AsArray().Select(v => v!.GetValue<string>()).Order());

        // Items with a website only (No Website has none; archived, notes, servers and bare passwords never come).
        var items = connection["items"]!.AsArray();
        Assert.Equal(["AWS Console", "GitHub", "Intranet", "Legacy Forum", "Router admin"],
            items.Select(i => i!["label"]!.GetValue<string>()).Order());
        var github = items.Single(i => i!["label"]!.GetValue<string>() == "GitHub")!;
        Assert.Equal("octo-alice", github["username"]!.GetValue<string>());
        Assert.Contains("github.com", github["domains"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal($"cred:{connectionId}:{_data.Personal.Uuid}:{_data.GitHub.Uuid}", github["itemId"]!.GetValue<string>());
        Assert.Equal(5, connection["itemCount"]!.GetValue<int>());

        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items?domain=github.com", apiKey), 200))!;
        Assert.Equal(["GitHub"], listed["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>()));

        _data.Acme.AddLogin("Jira", "alice@acme.example", "jira-pw-1", [("https://acme.atlassian.net", "website", null)]);
        _server.ClearRequests();
        var sync = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200))!;
        Assert.Equal(1, sync["sync_summary"]!["added"]!.GetValue<int>());
        // The session signed in at connect is still kept: vault list + one overview list per vault.
        Assert.Equal(1 + _account.Vaults.Count, _server.Requests.Count);

        // Same service account again: re-connect in place.
        var again = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 200))!;
        Assert.Equal(connectionId, again["connectionId"]!.GetValue<string>());

        // A run reads the secret live through the provider.
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["url"] = "https://github.com/login", ["goal"] = "star a repo", ["use_vault"] = true,
            ["credential_item_ids"] = new JsonArray(github["itemId"]!.GetValue<string>()),
        }), 201))!;
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            _server.ClearRequests();
            var credentials = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["credentials"]!.AsArray();
            var credential = credentials.Single()!;
            Assert.Equal(StandardData.GitHubPassword, credential["password"]!.GetValue<string>());
            Assert.Equal("octo-alice", credential["username"]!.GetValue<string>());
            Assert.Matches("^[0-9]{6}$", credential["totp"]!["code"]!.GetValue<string>());
            Assert.Single(_server.Requests);
        }

        AssertNoSecretLeaked(connection.ToJsonString(), listed.ToJsonString(), sync.ToJsonString(), again.ToJsonString(), run.ToJsonString());

        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connectionId}", apiKey), 200);
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, "NO_CONNECTIONS");
    }

    [Fact]
    public async Task Malformed_and_rejected_tokens()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        Assert.Contains("token", await HttpAssert.Error(await ConnectAsync(apiKey, "ops_notatoken"), 400, "INVALID_INPUT"));
        Assert.Contains("token", await HttpAssert.Error(await ConnectAsync(apiKey, "abc"), 400, "INVALID_INPUT"));
        Assert.Contains("token", await HttpAssert.Error(await ConnectAsync(apiKey, _account.MintToken("evil.example.com")), 400, "INVALID_INPUT"));
        Assert.Empty(_server.Requests);

        _account.Revoked = true;
        Assert.Equal("Invalid vault token", await HttpAssert.Error(await ConnectAsync(apiKey, _account.MintToken()), 400, "INVALID_VAULT_TOKEN"));
        Assert.Single(_server.Requests);
        var wrongKey = _account.MintToken(tamper: j => j["srpX"] = new string('2', 64));
        _account.Revoked = false;
        Assert.Equal("Invalid vault token", await HttpAssert.Error(await ConnectAsync(apiKey, wrongKey), 400, "INVALID_VAULT_TOKEN"));
        AssertNoSecretLeaked();
    }

    [Fact]
    public async Task Throttling_keeps_the_connection_active_and_revocation_needs_a_reconnect()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        await HttpAssert.Status(await ConnectAsync(apiKey, _account.MintToken()), 201);

        _server.ClearRequests();
        _server.Fail(new FakeFault { PathContains = "/items/overviews", Status = 429, RetryAfterSeconds = 90, Remaining = 1 });
        var throttled = await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject());
        await HttpAssert.Error(throttled, 503, "VAULT_UNAVAILABLE");
        Assert.Single(_server.Requests, r => r.PathAndQuery.Contains("/items/overviews"));
        var connections = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!;
        Assert.Equal("active", connections["connections"]![0]!["status"]!.GetValue<string>());
        Assert.NotEmpty((await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray());

        _account.Revoked = true;
        _server.ClearRequests();
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 401, "UNAUTHORIZED");
        Assert.Single(_server.Requests);
        connections = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!;
        Assert.Equal("reconnect_required", connections["connections"]![0]!["status"]!.GetValue<string>());
        Assert.NotEmpty((await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray());
        AssertNoSecretLeaked();
    }
}
