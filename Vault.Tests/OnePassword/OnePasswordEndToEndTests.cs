using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>
/// The real 1Password provider inside the standalone host, driven over HTTP as docs/api.md says, against the fake server:
/// connect → list → sync → run credentials (live secret read) → delete, and the error paths.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
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
        // Details are read at connect: which items have a one-time password is known.
        Assert.Equal(["GitHub", "Legacy Forum"], items.Where(i => i!["hasTotp"]!.GetValue<bool>()).Select(i => i!["label"]!.GetValue<string>()).Order());
        Assert.Contains("github.com", github["domains"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal($"cred:{connectionId}:{_data.Personal.Uuid}:{_data.GitHub.Uuid}", github["itemId"]!.GetValue<string>());
        Assert.Equal(5, connection["itemCount"]!.GetValue<int>());

        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items?domain=github.com", apiKey), 200))!;
        Assert.Equal(["GitHub"], listed["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>()));

        _data.Acme.AddLogin("Jira", "alice@acme.example", "jira-pw-1", [("https://acme.atlassian.net", "website", null)]);
        _server.ClearRequests();
        var sync = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200))!;
        Assert.Equal(1, sync["sync_summary"]!["added"]!.GetValue<int>());
        // The session signed in at connect is still kept: vault list + one overview list per vault + the new item's details.
        Assert.Equal(1 + _account.Vaults.Count + 1, _server.Requests.Count);
        Assert.EndsWith("/item/" + _data.Acme.Items[^1].Uuid, _server.Requests[^1].PathAndQuery);

        // Same service account again: re-connect in place.
        var again = (await HttpAssert.Status(await ConnectAsync(apiKey, token), 200))!;
        Assert.Equal(connectionId, again["connectionId"]!.GetValue<string>());

        // A run's credentials come from the encrypted cache: no request to 1Password, even while it fails.
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["url"] = "https://github.com/login", ["goal"] = "star a repo", ["use_vault"] = true,
            ["credential_item_ids"] = new JsonArray(github["itemId"]!.GetValue<string>()),
        }), 201))!;
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            _server.ClearRequests();
            _server.Fail(new FakeFault { PathContains = "/", Status = 503 });
            var credentials = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["credentials"]!.AsArray();
            var credential = credentials.Single()!;
            Assert.Equal(StandardData.GitHubPassword, credential["password"]!.GetValue<string>());
            Assert.Equal("octo-alice", credential["username"]!.GetValue<string>());
            Assert.Matches("^[0-9]{6}$", credential["totp"]!["code"]!.GetValue<string>());
            Assert.Empty(_server.Requests);
            _server.ClearFaults();
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

        // The 429 is honoured: within its Retry-After nothing is sent for this service account, and runs still read the cache.
        _server.ClearRequests();
        var waiting = await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject());
        Assert.NotNull(waiting.Headers.RetryAfter);
        await HttpAssert.Error(waiting, 503, Vault.Core.Errors.ErrorCodes.VaultUnavailable);
        Assert.Empty(_server.Requests);

        // Revocation (another service account, so no wait is pending for it).
        var other = _server.CreateAccount();
        StandardData.Seed(other);
        (_, apiKey) = await _host.CreateAccountAsync();
        await HttpAssert.Status(await ConnectAsync(apiKey, other.MintToken()), 201);
        other.Revoked = true;
        _server.ClearRequests();
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 401, Vault.Core.Errors.ErrorCodes.Unauthorized);
        // The session kept from connect is refused, one new sign-in is refused too, and that is all.
        Assert.Equal(["/api/v1/vaults?attrs=combined-access", "/api/v3/auth/start"], _server.Requests.Select(r => r.PathAndQuery));
        connections = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!;
        Assert.Equal("reconnect_required", connections["connections"]![0]!["status"]!.GetValue<string>());
        Assert.NotEmpty((await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray());
        AssertNoSecretLeaked();
    }

    [Fact]
    public async Task Cached_details_equal_what_the_official_sdk_reads()
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var connection = (await HttpAssert.Status(await ConnectAsync(apiKey, _account.MintToken()), 201))!;
        var sdk = await SdkJudge.RunAsync(_server, _account.MintToken(), "full");

        var cache = (Vault.Core.Items.ItemStore)_host.Services.GetService(typeof(Vault.Core.Items.ItemStore))!;
        var reader = (Vault.Core.Items.SealedSecretsReader)_host.Services.GetService(typeof(Vault.Core.Items.SealedSecretsReader))!;
        var cached = connection["items"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToList();
        Assert.Equal(5, cached.Count);
        foreach (var itemId in cached)
        {
            var stored = (await cache.GetAsync(accountId, itemId, default))!;
            var details = sdk.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("id").GetString() == stored.Item.Data.ProviderItemId);
            var fields = details.GetProperty("fields").EnumerateArray().ToList();
            string? Field(string id) => fields.Where(f => f.GetProperty("id").GetString() == id && f.GetProperty("sectionId").ValueKind == System.Text.Json.JsonValueKind.Null)
                .Select(f => f.GetProperty("value").GetString()).FirstOrDefault();
            var totp = fields.Where(f => f.GetProperty("fieldType").GetString() == "Totp").Select(f => f.GetProperty("value").GetString()).FirstOrDefault();

            Assert.False(stored.Item.Data.SecretsLive);
            var secrets = await reader.OpenAsync(accountId, stored.Item.ConnectionId, itemId, stored.SealedSecrets!, default);
            Assert.Equal((Field("username"), Field("password"), totp, totp is not null),
                (stored.Item.Data.Username, secrets.Password, secrets.Totp, stored.Item.Data.HasTotp));
            Assert.Equal(details.GetProperty("websites").EnumerateArray().Select(w => w.GetProperty("url").GetString()),
                stored.Item.Data.Uris.Select(u => (string?)u.Uri));
            Assert.Equal(details.GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), stored.Item.Data.Version);
        }
    }
}

/// <summary>The hourly read budget through the whole service: a vault larger than what is left is listed whole at connect,
/// the rest of its details come with runs (read live once, then cached) or later syncs.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OnePasswordBudgetEndToEndTests : IAsyncLifetime
{
    private FakeOnePasswordServer _server = null!;
    private FakeOnePasswordAccount _account = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOnePasswordServer.StartAsync();
        _account = _server.CreateAccount();
        StandardData.Seed(_account);
        _host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:OnePassword:PrivateCaPem"] = _server.Ca.CaPem,
            // 9 requests list the 3 vaults after sign-in; with 2 kept for runs and room for two more listings, no details fit.
            ["Vault:OnePassword:ReadsPerHour"] = "12",
            ["Vault:OnePassword:ReadsKeptForRuns"] = "2",
        }, useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Items_not_read_at_connect_are_listed_without_totp_and_read_live_once_by_a_run()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "1password", ["token"] = _account.MintToken() }), 201))!;
        var items = connection["items"]!.AsArray();
        Assert.Equal(5, items.Count);
        Assert.Equal(9, _server.Requests.Count);

        // Listed whole; nothing read yet says it has a one-time password (GitHub has one).
        Assert.All(items, i => Assert.False(i!["hasTotp"]!.GetValue<bool>()));
        var pending = items.Single(i => i!["label"]!.GetValue<string>() == "GitHub")!;
        var itemId = pending["itemId"]!.GetValue<string>();
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["credential_item_ids"] = new JsonArray(itemId),
        }), 201))!;

        async Task<JsonNode> CredentialAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            return (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["credentials"]![0]!;
        }

        _server.ClearRequests();
        var first = await CredentialAsync();
        Assert.Single(_server.Requests); // the kept session: one items.get
        Assert.Matches("^[0-9]{6}$", first["totp"]!["code"]!.GetValue<string>());

        // Now cached: no request, even while 1Password throttles; and the list knows its one-time password.
        _server.Fail(new FakeFault { PathContains = "/", Status = 429, RetryAfterSeconds = 60 });
        _server.ClearRequests();
        var second = await CredentialAsync();
        Assert.Empty(_server.Requests);
        Assert.Equal(first["password"]!.GetValue<string>(), second["password"]!.GetValue<string>());
        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray();
        Assert.True(listed.Single(i => i!["itemId"]!.GetValue<string>() == itemId)!["hasTotp"]!.GetValue<bool>());

        var text = _host.Logs.All + connection.ToJsonString() + listed.ToJsonString();
        foreach (var secret in _account.SecretStrings())
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), "A 1Password secret appeared in a log line or a listing.");
        }
    }
}
