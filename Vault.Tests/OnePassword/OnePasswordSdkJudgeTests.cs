using System.Text.Json;
using Vault.Core.Domains;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>
/// The official SDK (@1password/sdk 0.5.0) judges the fake server, and the C# provider must read from it exactly what
/// the SDK reads, with the same requests and headers.
/// </summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class OnePasswordSdkJudgeTests
{
    [Fact]
    public async Task Sdk_reads_the_fake_and_the_provider_reads_the_same()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var sdk = await SdkJudge.RunAsync(kit.Server, kit.Token, "full");
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), CancellationToken.None);

        var vaultNames = sdk.GetProperty("vaults").EnumerateArray().ToDictionary(v => v.GetProperty("id").GetString()!, v => v.GetProperty("title").GetString()!);
        Assert.Equal(["Acme Corp", "Empty", "Personal"], vaultNames.Values.Order());

        // What the SDK calls logins: Login items, and Password items with a website; active ones only.
        var sdkLogins = sdk.GetProperty("details").EnumerateArray()
            .Where(d => d.GetProperty("category").GetString() == "Login" ||
                        (d.GetProperty("category").GetString() == "Password" && d.GetProperty("websites").GetArrayLength() > 0))
            .ToList();
        Assert.Equal(sdkLogins.Select(d => d.GetProperty("id").GetString()).Order(), snapshot.Items.Select(i => i.ProviderItemId).Order());
        Assert.DoesNotContain(snapshot.Items, i => i.ProviderItemId == kit.Data.Archived.Uuid);

        foreach (var details in sdkLogins)
        {
            var id = details.GetProperty("id").GetString()!;
            var vaultId = details.GetProperty("vaultId").GetString()!;
            var mine = snapshot.Items.Single(i => i.ProviderItemId == id);
            Assert.Equal(vaultId, mine.VaultId);
            Assert.Equal(vaultNames[vaultId], mine.VaultName);
            Assert.Equal(details.GetProperty("title").GetString(), mine.Label);
            var websites = details.GetProperty("websites").EnumerateArray()
                .Select(w => (w.GetProperty("url").GetString(), w.GetProperty("autofillBehavior").GetString() switch
                {
                    "ExactDomain" => UriMatch.Host,
                    "Never" => UriMatch.Never,
                    _ => UriMatch.Default,
                })).ToList();
            Assert.Equal(websites, mine.Uris.Select(u => ((string?)u.Uri, u.Match)).ToList());
            var fields = details.GetProperty("fields").EnumerateArray().ToList();
            string? Field(string fieldId) => fields.Where(f => f.GetProperty("id").GetString() == fieldId && f.GetProperty("sectionId").ValueKind == JsonValueKind.Null)
                .Select(f => f.GetProperty("value").GetString()).FirstOrDefault();
            var totp = fields.Where(f => f.GetProperty("fieldType").GetString() == "Totp").Select(f => f.GetProperty("value").GetString()).FirstOrDefault();

            // The sync reads every login's details (a fresh cache, within the hour's budget) but those without a website,
            // which are not cached: the SDK's fields exactly.
            Assert.Equal(Field("username"), mine.Username);
            if (mine.Uris.Count == 0)
            {
                Assert.Null(mine.Secrets);
                continue;
            }

            Assert.Equal(Field("password"), mine.Secrets!.Password);
            Assert.Equal(totp, mine.Secrets.Totp);
            Assert.Equal(totp is not null, mine.HasTotp);
            Assert.Equal(details.GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), mine.Version);

            // A live read of the same item gives the same.
            var live = await kit.Provider.ReadItemDetailsAsync(kit.Context(), vaultId, id, CancellationToken.None);
            Assert.Equal((Field("username"), Field("password"), totp), (live.Username, live.Secrets.Password, live.Secrets.Totp));
        }

        Assert.Equal(2, snapshot.Items.Count(i => i.HasTotp));
    }
}

/// <summary>The C# client's requests against the SDK's, as the fake recorded them: same sequence, headers, body shapes.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OnePasswordRequestShapeTests
{
    /// <summary>Added by the HTTP stack, not by the protocol: the connection's and encoding's business.</summary>
    private static readonly HashSet<string> Transport = ["host", "connection", "content-length", "accept-encoding"];

    [Fact]
    public async Task A_sync_sends_the_requests_the_sdk_sends_to_list_vaults_and_items()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var mine = kit.Server.Requests;
        Assert.Equal(6 + kit.Account.Vaults.Count + snapshot.Items.Count(i => i.Secrets is not null), mine.Count);

        // The SDK asked for the same items, in the order this sync read them (oldest first).
        var gets = ItemGets(mine);
        Assert.Equal(snapshot.Items.Count(i => i.Secrets is not null), gets.Length);
        kit.Server.ClearRequests();
        await SdkJudge.RunAsync(kit.Server, kit.Token, ["sync", .. gets]);
        AssertSameShape(kit.Server.Requests, mine);
    }

    [Fact]
    public async Task A_resync_in_a_kept_session_sends_what_the_sdk_sends_to_list_again()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(OnePasswordProviderTests.Cached(kit, first), default);
        var mine = kit.Server.Requests;
        kit.Server.ClearRequests();
        await SdkJudge.RunAsync(kit.Server, kit.Token, "list");
        var sdkList = kit.Server.Requests.SkipWhile(r => !r.PathAndQuery.StartsWith("/api/v1/vaults", StringComparison.Ordinal))
            .Where(r => !r.PathAndQuery.StartsWith("/api/v2/account/keysets", StringComparison.Ordinal)).ToList();
        AssertSameShape(sdkList, mine);
        Assert.Equal(1 + kit.Account.Vaults.Count, mine.Count);
    }

    [Fact]
    public async Task A_live_secret_read_sends_the_requests_the_sdk_sends_for_items_get_in_a_fresh_client()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.ClearRequests();
        await SdkJudge.RunAsync(kit.Server, kit.Token, "get", kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid);
        var sdk = kit.Server.Requests;
        kit.Server.ClearRequests();
        await kit.Provider.ReadItemDetailsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default);
        AssertSameShape(sdk, kit.Server.Requests);
        Assert.Equal(7, kit.Server.Requests.Count);
    }

    [Theory]
    [InlineData("device-not-registered", "/api/v1/device")]
    [InlineData("device-deleted", "/reauthorize")]
    public async Task Device_registration_and_vaults_without_access_records_go_as_the_sdk_goes(string deviceStatus, string devicePath)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.DeviceStatus = deviceStatus;
        kit.Server.ListWithoutAccess = true;
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var mine = kit.Server.Requests;
        kit.Server.ForgetDevices();
        kit.Server.ClearRequests();
        await SdkJudge.RunAsync(kit.Server, kit.Token, ["sync", .. ItemGets(mine)]);
        var sdk = kit.Server.Requests;
        Assert.Contains(sdk, r => r.PathAndQuery.EndsWith(devicePath, StringComparison.Ordinal));
        AssertSameShape(sdk, mine);
    }

    [Fact]
    public async Task An_expired_session_is_renewed_as_the_sdk_renews_it()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/api/v1/vaults", Status = 401, Skip = 1, Remaining = 1 });
        kit.Server.ClearRequests();
        await SdkJudge.RunAsync(kit.Server, kit.Token, "relist");
        var sdk = kit.Server.Requests;
        var sdkRenewal = sdk.SkipWhile(r => r.Headers.ContainsKey("x-agilebits-mac") is false || !r.PathAndQuery.StartsWith("/api/v1/vaults", StringComparison.Ordinal))
            .Skip(1).SkipWhile(r => !r.PathAndQuery.StartsWith("/api/v1/vaults", StringComparison.Ordinal)).Take(6).ToList();

        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Server.Fail(new FakeFault { PathContains = "/api/v1/vaults", Status = 401, Remaining = 1 });
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var mine = kit.Server.Requests.Take(6).ToList();

        Assert.Equal("/api/v3/auth/start", sdkRenewal[1].PathAndQuery);
        Assert.Contains("\"userUuid\"", sdkRenewal[1].Body);
        AssertSameShape(sdkRenewal, mine);
    }

    [Fact]
    public async Task The_throttling_token_is_byte_for_byte_the_sdks()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        await SdkJudge.RunAsync(kit.Server, kit.Token, "get", kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid);
        var sdkToken = kit.Server.Requests[0].Headers["op-throttling-token"];
        var claims = JsonDocument.Parse(Convert.FromBase64String(Pad(sdkToken.Split('.')[2]))[..^64]).RootElement;
        var iat = DateTimeOffset.Parse(claims.GetProperty("iat").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var mine = Vault.Core.Providers.OnePassword.Crypto.ThrottlingToken.Create(kit.Account.ThrottleSeed, kit.Account.ThrottleUuid, iat);
        Assert.Equal(sdkToken, mine);
        Assert.All(kit.Server.Requests, r => Assert.Equal(sdkToken, r.Headers["op-throttling-token"]));
    }

    /// <summary>The items a recorded sync read with items.get, in order, as sdk-judge.mjs takes them (vaultId/itemId).</summary>
    private static string[] ItemGets(IReadOnlyList<RecordedRequest> requests) =>
        requests.Where(r => r.PathAndQuery.Contains("/item/", StringComparison.Ordinal))
            .Select(r => r.PathAndQuery["/api/v1/vault/".Length..].Replace("/item/", "/", StringComparison.Ordinal)).ToArray();

    private static string Pad(string b64u)
    {
        var s = b64u.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }

    internal static void AssertSameShape(IReadOnlyList<RecordedRequest> sdk, IReadOnlyList<RecordedRequest> mine)
    {
        Assert.Equal(sdk.Select(r => $"{r.Method} {r.PathAndQuery}"), mine.Select(r => $"{r.Method} {r.PathAndQuery}"));
        for (var i = 0; i < sdk.Count; i++)
        {
            var expected = sdk[i].Headers.Where(h => !Transport.Contains(h.Key)).ToDictionary(h => h.Key, h => Shape(h.Key, h.Value));
            var actual = mine[i].Headers.Where(h => !Transport.Contains(h.Key)).ToDictionary(h => h.Key, h => Shape(h.Key, h.Value));
            Assert.Equal(expected.OrderBy(h => h.Key), actual.OrderBy(h => h.Key));
            Assert.Equal(BodyShape(sdk[i].Body), BodyShape(mine[i].Body));
            Assert.Equal(BodyShape(sdk[i].Plaintext), BodyShape(mine[i].Plaintext));
        }
    }

    /// <summary>A header value with what legitimately differs (ids, counters, signatures, integration name) replaced.</summary>
    private static string Shape(string name, string value) => name switch
    {
        "user-agent" => value[..value.IndexOf("SDK/0050002 ", StringComparison.Ordinal)] + "SDK/0050002 <integration>",
        "x-agilebits-session-id" => System.Text.RegularExpressions.Regex.IsMatch(value, "^[A-Z2-7]{26}$") ? "<session>" : value,
        "x-agilebits-mac" => System.Text.RegularExpressions.Regex.IsMatch(value, @"^v1\|\d+\|[A-Za-z0-9_-]{16}$") ? "v1|<n>|<mac>" : value,
        "op-throttling-token" => System.Text.RegularExpressions.Regex.IsMatch(value, @"^v4\.public\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$") ? "v4.public.<token>" : value,
        _ => value,
    };

    /// <summary>The JSON body's shape: property names (in order) and value kinds, recursively.</summary>
    private static string BodyShape(string? body)
    {
        if (string.IsNullOrEmpty(body))
        {
            return "<none>";
        }

        static string Of(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => "{" + string.Join(",", e.EnumerateObject().Select(p => p.Name + ":" + Of(p.Value))) + "}",
            JsonValueKind.Array => "[" + string.Join(",", e.EnumerateArray().Select(Of).Distinct()) + "]",
            _ => e.ValueKind.ToString(),
        };

        return Of(JsonDocument.Parse(body).RootElement);
    }
}
