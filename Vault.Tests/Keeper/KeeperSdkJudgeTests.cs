using System.Text;
using System.Text.Json;
using Vault.Core.Providers;
using Vault.Core.Runs;
using Vault.Core.Snapshots;
using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>
/// Keeper's official SDK (@keeper-security/secrets-manager-core 17.5.0) judges the fake server, and the C# provider
/// must read from it exactly what the SDK reads; each side also reads with the device configuration the other bound.
/// </summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class KeeperSdkJudgeTests
{
    private static readonly long At = DateTimeOffset.Parse("2026-12-07T12:00:10Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    [Fact]
    public async Task The_sdk_binds_and_reads_the_fake_and_the_provider_reads_the_same()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var sdkToken = kit.Server.MintToken(kit.Data.Application);
        var sdk = await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "bind", KeyOf(sdkToken), kit.Server.Address);
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Empty(kit.Server.Problems);

        Assert.Equal(kit.Data.Application.Title, sdk.GetProperty("appData").GetProperty("title").GetString());
        Assert.Equal(kit.Data.Application.Title, snapshot.Label);
        AssertSameAsSdk(sdk, snapshot);
        Assert.Equal(kit.Data.Logins.Select(r => r.Uid).Order(), snapshot.Items.Where(i => i.Uris.Count > 0).Select(i => i.ProviderItemId).Order());
        Assert.Equal(2, snapshot.Items.Count(i => i.HasTotp));
        Assert.Equal(["Développement 🚀", "Ops"], snapshot.Items.Where(i => i.VaultId != "app").Select(i => i.VaultName).Distinct().Order(StringComparer.Ordinal));

        // The SDK skipped the record that does not decrypt, and so did the provider.
        Assert.Contains(sdk.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains(kit.Data.Broken.Uid, StringComparison.Ordinal));
        Assert.DoesNotContain(snapshot.Items, i => i.ProviderItemId == kit.Data.Broken.Uid);
    }

    [Fact]
    public async Task The_sdk_reads_with_the_device_configuration_the_provider_bound_and_stored()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var stored = KeeperConfiguration(snapshot.RefreshedSecret!);
        kit.Server.ClearRequests();
        var sdk = await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "read", stored);
        AssertSameAsSdk(sdk, snapshot);
        Assert.Empty(kit.Server.Problems);
        // The SDK found the device bound (no public key sent again) under the same client id.
        Assert.All(kit.Server.Requests, r => Assert.DoesNotContain("publicKey", r.Payload!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_provider_reads_with_a_configuration_the_sdk_bound_in_one_request()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var sdkToken = kit.Server.MintToken(kit.Data.Application);
        var sdk = await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "bind", KeyOf(sdkToken), kit.Server.Address);
        var config = sdk.GetProperty("config").GetString()!;
        var context = kit.Context(config);
        Assert.Equal(kit.Server.ClientOf(context.Credentials.Identity)!.ClientKey, kit.Server.Clients.Single(c => c.ClientId == context.Credentials.Identity).ClientKey);
        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(context, default);
        Assert.Single(kit.Server.Requests);
        AssertSameAsSdk(sdk, snapshot);
    }

    [Fact]
    public async Task The_providers_requests_have_the_sdks_headers_and_payload_fields()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "bind", KeyOf(kit.Server.MintToken(kit.Data.Application)), kit.Server.Address);
        var sdk = kit.Server.Requests.Where(r => r.Path.EndsWith("/get_secret", StringComparison.Ordinal)).ToList();
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var mine = kit.Server.Requests;
        Assert.Equal(2, sdk.Count); // the binding, then the read that confirms it
        Assert.Equal(sdk.Select(r => r.Path), mine.Select(r => r.Path));
        for (var i = 0; i < sdk.Count; i++)
        {
            string[] Headers(Vault.Testing.Keeper.KeeperRecordedRequest r) =>
                [.. r.Headers.Keys.Where(k => k is not ("host" or "connection" or "content-length" or "user-agent" or "accept-encoding")).Order(StringComparer.Ordinal)];
            Assert.Equal(Headers(sdk[i]), Headers(mine[i]));
            Assert.Equal(sdk[i].Headers["publickeyid"], mine[i].Headers["publickeyid"]);
            Assert.Equal(Fields(sdk[i].Payload!), Fields(mine[i].Payload!));
        }

        Assert.Empty(kit.Server.Problems);
    }

    [Fact]
    public async Task A_server_key_rotation_is_followed_and_kept_and_the_sdk_sees_the_same_answer()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        kit.Server.ActiveKeyId = 11;
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(["10", "11", "11"], kit.Server.Requests.Select(r => r.Headers["publickeyid"]));
        Assert.Contains("\"serverPublicKeyId\":\"11\"", first.RefreshedSecret!, StringComparison.Ordinal);
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default);
        Assert.Equal(["11"], kit.Server.Requests.Select(r => r.Headers["publickeyid"]));

        // The SDK with a custom key refuses to rotate, naming the id our fake asked for: it read the same "key" answer.
        var (exit, sdk) = await KeeperSdkJudge.RunAsync(kit.Server, 10, At, "bind", KeyOf(kit.Server.MintToken(kit.Data.Application)), kit.Server.Address);
        Assert.Equal(2, exit);
        Assert.Contains("suggested key id 11", sdk.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_is_a_wait_the_sdk_also_reads_from_retry_after()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var token = kit.Server.MintToken(kit.Data.Application);
        kit.Server.Fail(new KeeperFault { Kind = KeeperFaultKind.Throttled, RetryAfterSeconds = 7, Remaining = 1 });
        var sdk = await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "bind", KeyOf(token), kit.Server.Address);
        var sleep = Assert.Single(sdk.GetProperty("throttleSleeps").EnumerateArray()).GetDouble();
        Assert.InRange(sleep, 7000 * 0.75, 7000 * 1.25);

        kit.Server.Fail(new KeeperFault { Kind = KeeperFaultKind.Throttled, RetryAfterSeconds = 7, Remaining = 1 });
        var refused = await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.Equal(TimeSpan.FromSeconds(7), refused.RetryAfter);
        // While the wait lasts nothing is sent for this application's device.
        kit.Server.ClearRequests();
        var again = await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.Empty(kit.Server.Requests);
        Assert.NotNull(again.RetryAfter);
    }

    [Fact]
    public async Task A_revoked_application_is_refused_to_the_sdk_and_to_the_provider()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var sdkConfig = (await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "bind", KeyOf(kit.Server.MintToken(kit.Data.Application)), kit.Server.Address))
            .GetProperty("config").GetString()!;
        kit.Data.Application.Revoked = true;
        var (exit, sdk) = await KeeperSdkJudge.RunAsync(kit.Server, 10, At, "read", sdkConfig);
        Assert.Equal(2, exit);
        Assert.Contains("access_denied", sdk.GetProperty("error").GetString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() => kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default));
    }

    [Fact]
    public async Task A_removed_and_an_edited_record_are_seen_alike_across_syncs()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        lock (kit.Data.Application.Records)
        {
            kit.Data.Application.Records.Remove(kit.Data.EmailOnly);
        }

        kit.Data.GitHub.Edit(d => d["fields"]!.AsArray().Single(f => f!["type"]!.GetValue<string>() == "password")!["value"] = new System.Text.Json.Nodes.JsonArray("gh-rotated-Pw-2"));
        kit.Server.ClearRequests();
        var second = await kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default);
        Assert.Single(kit.Server.Requests); // a sync is one request
        Assert.DoesNotContain(second.Items, i => i.ProviderItemId == kit.Data.EmailOnly.Uid);
        Assert.Equal("gh-rotated-Pw-2", second.Items.Single(i => i.ProviderItemId == kit.Data.GitHub.Uid).Secrets!.Password);
        var sdk = await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "read", KeeperConfiguration(first.RefreshedSecret!));
        AssertSameAsSdk(sdk, second);
    }

    [Fact]
    public async Task Folder_names_missing_from_get_secret_come_from_one_get_folders_as_the_sdk_reads_them()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Server.SecretsWithoutFolderNames = true;
        kit.Server.ClearRequests();
        var second = await kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default);
        Assert.Equal(["/api/rest/sm/v1/get_secret", "/api/rest/sm/v1/get_folders"], kit.Server.Requests.Select(r => r.Path));
        var sdk = await KeeperSdkJudge.ReadAsync(kit.Server, 10, At, "read", KeeperConfiguration(first.RefreshedSecret!));
        AssertSameAsSdk(sdk, second);
        Assert.Empty(kit.Server.Problems);
    }

    /// <summary>Every SDK record with a URL is an item with the SDK's values; TOTP codes are the SDK's getTotpCode.</summary>
    private static void AssertSameAsSdk(JsonElement sdk, VaultSnapshot snapshot)
    {
        var folders = sdk.GetProperty("folders").EnumerateArray().ToDictionary(f => f.GetProperty("folderUid").GetString()!, f => f.GetProperty("name").GetString()!);
        var records = sdk.GetProperty("records").EnumerateArray().ToList();
        static List<string> Values(JsonElement r, string type) =>
            [.. r.GetProperty("fields").EnumerateArray().Concat(r.GetProperty("custom").EnumerateArray())
                .Where(f => f.GetProperty("type").GetString() == type).SelectMany(f => f.GetProperty("value").EnumerateArray()).Select(v => v.GetString()!)];
        var logins = records.Where(r => Values(r, "url").Count > 0).ToList();
        Assert.Equal(logins.Select(r => r.GetProperty("recordUid").GetString()).Order(), snapshot.Items.Where(i => i.Uris.Count > 0).Select(i => i.ProviderItemId).Order());
        Assert.All(snapshot.Items.Where(i => i.Uris.Count == 0), i => Assert.Contains(records, r => r.GetProperty("recordUid").GetString() == i.ProviderItemId));
        foreach (var record in logins)
        {
            var mine = snapshot.Items.Single(i => i.ProviderItemId == record.GetProperty("recordUid").GetString());
            var folder = record.GetProperty("folderUid").GetString();
            Assert.Equal(folder ?? "app", mine.VaultId);
            Assert.Equal(folder is null ? snapshot.Label : folders[folder], mine.VaultName);
            Assert.Equal(record.GetProperty("title").GetString(), mine.Label);
            Assert.Equal(Values(record, "login").Concat(Values(record, "email")).FirstOrDefault(), mine.Username);
            Assert.Equal(Values(record, "password").FirstOrDefault(), mine.Secrets!.Password);
            Assert.Equal(Values(record, "url"), mine.Uris.Select(u => u.Uri));
            var seed = Values(record, "oneTimeCode").FirstOrDefault();
            Assert.Equal(seed, mine.Secrets.Totp);
            Assert.Equal(seed is not null, mine.HasTotp);
            if (seed is not null)
            {
                Assert.Equal(record.GetProperty("totp").GetProperty("code").GetString(), TotpGenerator.Compute(mine.Secrets.Totp, DateTimeOffset.FromUnixTimeSeconds(At))!.Code);
            }

            var labels = record.GetProperty("custom").EnumerateArray().Where(f => f.TryGetProperty("label", out _)).Select(f => f.GetProperty("label").GetString()!).ToList();
            Assert.Equal(labels, mine.FieldLabels ?? []);
        }
    }

    private static string KeyOf(string token) => token[(token.LastIndexOf(':') + 1)..];

    private static string KeeperConfiguration(string storedDevice) => Convert.ToBase64String(Encoding.UTF8.GetBytes(storedDevice));

    private static string Fields(string payload) => string.Join(",", JsonDocument.Parse(payload).RootElement.EnumerateObject().Select(p => p.Name + ":" + p.Value.ValueKind));
}
