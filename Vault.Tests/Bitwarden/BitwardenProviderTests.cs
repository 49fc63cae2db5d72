using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Bitwarden;

/// <summary>The real Bitwarden provider, through the standalone host over HTTP, against the fake Bitwarden server.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class BitwardenProviderTests : IAsyncLifetime
{
    private static readonly KdfSettings Pbkdf2 = new(KdfType.Pbkdf2Sha256, 600_000, null, null);
    private static readonly KdfSettings Argon2 = new(KdfType.Argon2id, 3, 64, 4);
    private FakeBitwardenServer _server = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBitwardenServer.StartAsync();
        _host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:Network:AttemptTimeout"] = "00:00:02",
            ["Vault:Network:TotalTimeout"] = "00:00:05",
        }, useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private JsonObject Body(FakeBitwardenAccount account, string? secret = null, string? password = null) => new()
    {
        ["provider"] = "bitwarden",
        ["clientId"] = account.ClientId,
        ["clientSecret"] = secret ?? account.ClientSecret,
        ["masterPassword"] = password ?? account.MasterPassword,
        ["serverUrl"] = _server.BaseUrl,
    };

    private FakeBitwardenAccount RichAccount(KdfSettings kdf)
    {
        var account = _server.AddAccount("Alice@Example.com", "correct horse battery staple", kdf);
        var org = account.AddOrganization("Acme Corp");
        account.AddLogin("GitHub", "alice", "gh-secret-pw", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP",
            [("https://github.com/login", null), ("androidapp://com.github.android", null)]);
        account.AddLogin("Shop", "alice@example.com", "shop-pw", null, [("shop.example.org", 1), ("https://never.example.net", 5)], perCipherKey: true);
        account.AddLogin("Acme Admin", "admin", "acme-pw", null, [("https://admin.acme.test", null)], organizationId: org, perCipherKey: true);
        account.AddLogin("Acme Wiki", "wiki", "wiki-pw", null, [("https://wiki.acme.test", 0)], organizationId: org);
        account.AddLogin("No URL", "x", "y", null, []);
        account.AddLogin("Trashed", "x", "y", null, [("https://trash.example.com", null)], deleted: true);
        account.AddLogin("A card", null, null, null, [], type: 3);
        return account;
    }

    [Fact]
    public async Task Connect_decrypts_the_vault_as_the_clients_do()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;

        Assert.Equal("Alice@Example.com", connection["label"]!.GetValue<string>());
        Assert.Equal(_server.BaseUrl, connection["serverUrl"]!.GetValue<string>());
        Assert.Equal(["Acme Corp", "My Vault"], connection["vaults"]!.AsArray().Select(v => v!.GetValue<string>()));
        var items = connection["items"]!.AsArray();
        Assert.Equal(["Acme Admin", "Acme Wiki", "GitHub", "Shop"], items.Select(i => i!["label"]!.GetValue<string>()));
        var github = items.Single(i => i!["label"]!.GetValue<string>() == "GitHub")!;
        Assert.Equal(["https://github.com/login", "androidapp://com.github.android"], github["urls"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal(["github.com"], github["domains"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.True(github["hasTotp"]!.GetValue<bool>());
        Assert.Equal("alice", github["username"]!.GetValue<string>());
        var shop = items.Single(i => i!["label"]!.GetValue<string>() == "Shop")!;
        Assert.Equal(["example.org"], shop["domains"]!.AsArray().Select(u => u!.GetValue<string>())); // the Never URI gives no domain
        Assert.Equal("Acme Corp", items.Single(i => i!["label"]!.GetValue<string>() == "Acme Admin")!["vaultName"]!.GetValue<string>());

        // The secrets decrypt: a run reads them back.
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["credential_item_ids"] = new JsonArray(items.Select(i => (JsonNode)i!["itemId"]!.GetValue<string>()).ToArray()),
        }), 201))!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        var credentials = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["credentials"]!.AsArray();
        Assert.Equal(["acme-pw", "wiki-pw", "gh-secret-pw", "shop-pw"], credentials.Select(c => c!["password"]!.GetValue<string>()));
        Assert.NotNull(credentials.Single(c => c!["label"]!.GetValue<string>() == "GitHub")!["totp"]);

        // What the server saw: one device, the client headers, the API scope.
        var login = _server.Requests.First(r => r.Path == "/identity/connect/token");
        Assert.Equal("api", login.Form["scope"]);
        Assert.True(Guid.TryParse(login.Form["deviceIdentifier"], out _));
        Assert.Equal("cli", login.Headers["Bitwarden-Client-Name"]);
        Assert.True(login.Headers.ContainsKey("Device-Type"));
    }

    [Fact]
    public async Task Argon2id_accounts_and_nested_kdf_settings_work()
    {
        _server.NestedKdf = true;
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Argon2);
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;
        Assert.Equal(4, connection["itemCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task The_token_is_kept_for_its_lifetime_and_an_unchanged_resync_writes_nothing()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201);
        var sync = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200))!;
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        Assert.Equal(1, _server.TokenRequests);
        Assert.Equal(3, _server.SyncRequests);
        Assert.Equal("{\"added\":0,\"updated\":0,\"removed\":0,\"skippedDisabled\":0}", sync["sync_summary"]!.ToJsonString());
        var devices = _server.Requests.Where(r => r.Form.ContainsKey("deviceIdentifier")).Select(r => r.Form["deviceIdentifier"]).Distinct();
        Assert.Single(devices);

        // A revoked token: one fresh login, same device.
        _server.RevokeTokens();
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        Assert.Equal(2, _server.TokenRequests);
        Assert.Single(_server.Requests.Where(r => r.Form.ContainsKey("deviceIdentifier")).Select(r => r.Form["deviceIdentifier"]).Distinct());
    }

    [Fact]
    public async Task Wrong_secret_or_master_password_is_invalid_vault_token()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        Assert.Equal("Invalid vault token", await HttpAssert.Error(
            await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account, secret: "wrong-secret")), 400, "INVALID_VAULT_TOKEN"));
        Assert.Equal("Invalid vault token", await HttpAssert.Error(
            await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account, password: "wrong master password")), 400, "INVALID_VAULT_TOKEN"));
        var list = await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Empty(list!["connections"]!.AsArray());
    }

    [Fact]
    public async Task A_kdf_below_the_minimums_is_refused_as_a_downgrade()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        account.Kdf = new KdfSettings(KdfType.Pbkdf2Sha256, 1_000, null, null); // the server now claims a weaker KDF
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 400, "INVALID_VAULT_TOKEN");
    }

    [Fact]
    public async Task Rejected_credentials_at_a_later_sync_mark_reconnect_required()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201);
        account.ClientSecret = "rotated";
        _server.RevokeTokens();
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 401, "UNAUTHORIZED");
        Assert.Equal(4, (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("token", 429, 30, null, null)]
    [InlineData("token", 500, null, null, null)]
    [InlineData("token", 200, null, null, "{not json")]
    [InlineData("sync", 502, null, null, null)]
    [InlineData("sync", 200, null, null, "[]")]
    [InlineData("token", 200, null, 8, null)]
    public async Task Provider_failures_at_connect_are_503(string endpoint, int status, int? retryAfter, int? delaySeconds, string? body)
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        var faults = endpoint == "sync" && status >= 500 ? 3 : 1; // GET /sync is retried on 5xx
        for (var i = 0; i < faults; i++)
        {
            _server.Faults.Enqueue((endpoint, status, retryAfter is null ? null : TimeSpan.FromSeconds(retryAfter.Value),
                delaySeconds is null ? null : TimeSpan.FromSeconds(delaySeconds.Value), body));
        }

        var response = await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account));
        if (retryAfter is not null)
        {
            Assert.Equal(TimeSpan.FromSeconds(retryAfter.Value), response.Headers.RetryAfter?.Delta);
        }

        await HttpAssert.Error(response, 503, "VAULT_UNAVAILABLE");
        Assert.True(_server.TokenRequests <= 1, "a login is never retried");
    }

    [Fact]
    public async Task An_unreadable_item_is_skipped_and_the_rest_sync()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        account.AddLogin("Future", "u", "p", null, [("https://future.example.com", null)]);
        account.Ciphers[^1]["name"] = "7.AAAAAAAAAAAAAAAA"; // a COSE EncString this client does not read
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;
        Assert.Equal(4, connection["itemCount"]!.GetValue<int>());
        Assert.Contains(_host.Logs.Lines, l => l.Contains("skipped", StringComparison.Ordinal) && l.Contains("type 7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Self_hosted_addresses_are_checked()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        var body = Body(account);
        body["region"] = "eu";
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 400, "INVALID_INPUT");
        body.Remove("region");
        body["serverCaCertificate"] = "-----BEGIN CERTIFICATE-----\nnot a cert\n-----END CERTIFICATE-----";
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 400, "INVALID_INPUT");
        body.Remove("serverCaCertificate");
        body["clientId"] = "user.1234";
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 400, "INVALID_INPUT");
        Assert.Equal(0, _server.TokenRequests);
    }

    [Fact]
    public async Task Logs_of_the_whole_flow_hold_no_secret()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = RichAccount(Pbkdf2);
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items?domain=github.com", apiKey), 200);
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account, password: "nope-" + account.MasterPassword)), 400, "INVALID_VAULT_TOKEN");
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connection["connectionId"]}", apiKey), 200);
        Assert.Empty(_host.Logs.Leaked(account.ClientSecret, account.MasterPassword, "gh-secret-pw", "shop-pw", "acme-pw", "JBSWY3DPEHPK3PXP"));
    }
}
