using System.Text.Json;
using Vault.Core.Providers;

namespace Vault.Tests.OnePassword;

/// <summary>
/// The official SDK (@1password/sdk 0.5.0) judges the fake server, and the C# provider must read from it exactly what
/// the SDK reads, with the same requests and headers.
/// </summary>
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

            // The sync's username comes from the overview (ainfo); it must equal the SDK's username field.
            Assert.Equal(Field("username"), mine.Username);
            var (username, secrets) = await kit.Provider.ReadItemDetailsAsync(kit.Context(), vaultId, id, CancellationToken.None);
            Assert.Equal(Field("username"), username);
            Assert.Equal(Field("password"), secrets.Password);
            Assert.Equal(totp, secrets.Totp);
        }

        var github = snapshot.Items.Single(i => i.ProviderItemId == kit.Data.GitHub.Uuid);
        Assert.Equal(StandardData.GitHubTotp, (await kit.Provider.ReadItemSecretsAsync(kit.Context(), github.VaultId, github.ProviderItemId, default)).Totp);
    }
}
