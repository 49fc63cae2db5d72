using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Core.Errors;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Bitwarden;

/// <summary>
/// An encryption-v2 account (sdk-internal's published v2 test account: XAES-256-GCM user key, type-7 private key,
/// signed security state version 2) served by the fake Bitwarden server over HTTP, read by the real provider through
/// the standalone host: connect → sync → run credentials, and what happens to parts not understood.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class BitwardenV2EndToEndTests : IAsyncLifetime
{
    private const string MasterPassword = "v2 master password for the published account";
    private FakeBitwardenServer _server = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBitwardenServer.StartAsync();
        _host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:Network:AttemptTimeout"] = "00:00:05",
            ["Vault:Network:TotalTimeout"] = "00:00:10",
        }, useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private JsonObject Body(FakeBitwardenAccount account, string? password = null) => new()
    {
        ["provider"] = "bitwarden",
        ["clientId"] = account.ClientId,
        ["clientSecret"] = account.ClientSecret,
        ["masterPassword"] = password ?? account.MasterPassword,
        ["serverUrl"] = _server.BaseUrl,
    };

    /// <summary>
    /// Personal items as blobs (one of them sdk-internal's published login envelope), one older field-level item with
    /// type-7 fields and a per-item key (one URI with a wrong checksum), and an organization reached through the
    /// type-7 private key.
    /// </summary>
    private FakeBitwardenAccount V2Account()
    {
        var account = _server.AddPublishedV2Account(MasterPassword);
        account.AddPublishedBlob(BitwardenV2Vectors.LoginBlobCek, BitwardenV2Vectors.LoginBlobEnvelope, type: 1);
        account.AddPublishedBlob(BitwardenV2Vectors.SecureNoteBlobCek, BitwardenV2Vectors.SecureNoteBlobEnvelope, type: 2);
        account.AddBlobLogin("GitHub", "octo", "gh-blob-pw", "otpauth://totp/GitHub:octo?secret=KRSXG5CTMVRXEZLU",
            [("https://github.com/login", null), ("androidapp://com.github.android", null)]);
        account.AddBlobLogin("Shop", "buyer", "shop-blob-pw", null, [("shop.example.org", 1)]);
        account.AddBlobLogin("Trashed", "x", "trashed-pw", null, [("https://trash.example.com", null)], deleted: true);
        account.AddLogin("Legacy fields", "old", "legacy-field-pw", null,
            [("https://legacy.example.net", null), ("https://evil.example.com", null)], perCipherKey: true, badChecksumOnLastUri: true);
        var org = account.AddOrganization("Acme Corp");
        account.AddLogin("Acme Admin", "admin", "acme-pw", null, [("https://admin.acme.test", null)], organizationId: org, perCipherKey: true);
        return account;
    }

    [Fact]
    public async Task Connect_sync_and_run_credentials_on_a_v2_account()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = V2Account();
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;

        Assert.Equal(BitwardenV2Vectors.V2Email, connection["label"]!.GetValue<string>());
        Assert.Equal(["Acme Corp", "My Vault"], connection["vaults"]!.AsArray().Select(v => v!.GetValue<string>()));
        var items = connection["items"]!.AsArray();
        Assert.Equal(["Acme Admin", "GitHub", "Legacy fields", "Shop", "Test Login"], items.Select(i => i!["label"]!.GetValue<string>()));
        JsonNode Item(string label) => items.Single(i => i!["label"]!.GetValue<string>() == label)!;
        Assert.Equal("testuser@example.com", Item("Test Login")["username"]!.GetValue<string>());
        Assert.Equal(["https://example.com/login"], Item("Test Login")["urls"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.True(Item("Test Login")["hasTotp"]!.GetValue<bool>());
        Assert.Equal(["github.com"], Item("GitHub")["domains"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal(["example.org"], Item("Shop")["domains"]!.AsArray().Select(u => u!.GetValue<string>()));
        // Security version 2: the URI whose checksum does not match is dropped, as the official clients drop it.
        Assert.Equal(["https://legacy.example.net"], Item("Legacy fields")["urls"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Equal("Acme Corp", Item("Acme Admin")["vaultName"]!.GetValue<string>());

        // A run reads the secrets back over its own token.
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["credential_item_ids"] = new JsonArray(items.Select(i => (JsonNode)i!["itemId"]!.GetValue<string>()).ToArray()),
        }), 201))!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        var credentials = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["credentials"]!.AsArray();
        Assert.Equal(["acme-pw", "gh-blob-pw", "legacy-field-pw", "shop-blob-pw", "p@ssw0rd123"], credentials.Select(c => c!["password"]!.GetValue<string>()));
        Assert.All(credentials.Where(c => c!["label"]!.GetValue<string>() is "GitHub" or "Test Login"), c => Assert.NotNull(c!["totp"]));

        // A resync of the unchanged vault changes nothing.
        var sync = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200))!;
        Assert.Equal("{\"added\":0,\"updated\":0,\"removed\":0,\"skippedDisabled\":0}", sync["sync_summary"]!.ToJsonString());

        Assert.Contains(_host.Logs.Lines, l => l.Contains("encryption v2", StringComparison.Ordinal));
        Assert.Empty(_host.Logs.Leaked(MasterPassword, account.ClientSecret, "gh-blob-pw", "shop-blob-pw", "legacy-field-pw", "acme-pw", "p@ssw0rd123",
            "KRSXG5CTMVRXEZLU", "JBSWY3DPEHPK3PXP", BitwardenV2Vectors.V2DecryptedUserKey));
    }

    [Fact]
    public async Task A_wrong_master_password_on_a_v2_account_is_invalid_vault_token()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = V2Account();
        Assert.Equal("Invalid vault token", await HttpAssert.Error(
            await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account, "not the master password")), 400, ErrorCodes.InvalidVaultToken));
    }

    [Fact]
    public async Task A_security_state_that_does_not_verify_is_refused_and_nothing_is_stored()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = V2Account();
        account.SignedSecurityState = BitwardenV2Vectors.V2SignedPublicKey; // validly signed, but another namespace
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 503, ErrorCodes.VaultUnavailable);
        Assert.Empty((await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray());
    }

    public static TheoryData<string, string> NotUnderstood => new()
    {
        { "security-version", "account security version 3" },
        { "blob-format", "cipher blob format version 2" },
        { "encstring-type", "EncString type 8" },
    };

    [Theory]
    [MemberData(nameof(NotUnderstood))]
    public async Task What_is_not_understood_fails_the_connect_naming_it(string change, string part)
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = V2Account();
        MakeUnreadable(account, change);

        var message = await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 400, ErrorCodes.UnsupportedVaultEncryption);
        Assert.Contains(part, message, StringComparison.Ordinal);
        Assert.Empty((await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray());
        Assert.Contains(_host.Logs.Lines, l => l.Contains(part, StringComparison.Ordinal));
        Assert.Empty(_host.Logs.Leaked(MasterPassword, account.ClientSecret, BitwardenV2Vectors.V2DecryptedUserKey));
    }

    [Fact]
    public async Task A_later_sync_that_meets_an_unknown_format_keeps_the_items_and_records_last_error()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var account = V2Account();
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;
        MakeUnreadable(account, "blob-format");

        var message = await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 400, ErrorCodes.UnsupportedVaultEncryption);
        Assert.Contains("cipher blob format version 2", message, StringComparison.Ordinal);
        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray().Single()!;
        Assert.Equal(connection["connectionId"]!.GetValue<string>(), listed["connectionId"]!.GetValue<string>());
        Assert.Equal("active", listed["status"]!.GetValue<string>()); // the credentials are fine; a later version reads it
        Assert.Equal(ErrorCodes.UnsupportedVaultEncryption, listed["lastError"]!["code"]!.GetValue<string>());
        Assert.Contains("cipher blob format version 2", listed["lastError"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(5, (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray().Count);

        // Once the format is readable again, the next sync clears the error.
        account.Ciphers.RemoveAll(c => c["data"]?.GetValue<string>().Contains("\"format_version\":2", StringComparison.Ordinal) == true);
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray().Single()!;
        Assert.Null(listed["lastError"]);
    }

    private static void MakeUnreadable(FakeBitwardenAccount account, string change)
    {
        switch (change)
        {
            case "security-version":
                account.SecurityVersion = 3;
                break;
            case "blob-format":
                var id = account.AddBlobLogin("Future item", "f", "future-pw", null, [("https://future.example.com", null)]);
                var cipher = account.Ciphers.Single(c => c["id"]!.GetValue<string>() == id);
                cipher["data"] = cipher["data"]!.GetValue<string>().Replace("\"format_version\":1", "\"format_version\":2", StringComparison.Ordinal);
                break;
            case "encstring-type":
                account.AddLogin("Future field", "f", "future-pw", null, [("https://future.example.com", null)]);
                account.Ciphers[^1]["name"] = "8.AAAAAAAAAAAA";
                break;
        }
    }
}
