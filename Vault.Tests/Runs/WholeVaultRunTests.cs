using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Core.Domains;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Runs;

/// <summary>A run granted a whole 5,000-item vault: created, and read per domain, whatever the grant's size.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class WholeVaultRunTests : ApiTestBase
{
    private const int ItemCount = 5_000;

    private async Task<HttpResponseMessage> CredentialsAsync(string runId, string token, string domain)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/credentials?domain={Uri.EscapeDataString(domain)}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Host.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_run_granted_every_item_of_a_5000_item_vault_is_created_and_answers_per_domain()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var items = Enumerable.Range(0, ItemCount)
            .Select(i => Login($"item{i:D5}", $"Login {i:D5} " + new string('x', 40), $"https://www.shop{i % 500}.com/login", password: $"pw-{i:D5}"))
            .Append(Login("regex", "Any example.org host", "^https://[a-z]+\\.example\\.org/", password: "pw-regex", match: UriMatch.RegularExpression,
                moreUrls: ["https://www.unrelated-site.net/"]))
            .ToArray();
        var clientId = NewClientId();
        Host.Bitwarden.Account(clientId.ToLowerInvariant()).Items.AddRange(items);
        using var patient = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromMinutes(10) }; // a first sync of 5,000 items on a busy machine
        using var connect = new HttpRequestMessage(HttpMethod.Post, "/v1/vault/connections") { Content = VaultTestHost.Json(BitwardenBody(clientId)) };
        connect.Headers.Add("X-API-Key", apiKey);
        var connection = (await HttpAssert.Status(await patient.SendAsync(connect), 201))!;
        Assert.Equal(ItemCount + 1, connection["itemCount"]!.GetValue<int>());

        var created = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["use_vault"] = true }), 201))!;
        Assert.Equal(ItemCount + 1, created["credentials"]!.AsArray().Count);
        var runId = created["runId"]!.GetValue<string>();
        var token = created["runToken"]!.GetValue<string>();
        var fetched = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}", apiKey), 200))!;
        Assert.Equal(created["credentials"]!.ToJsonString(), fetched["credentials"]!.ToJsonString());

        // A grant this large is spread over the run's grant partitions (each served at 2,000 entities/s by Azure); the
        // run's own partition holds the run row and the short list of items whose URI rules may match any domain.
        Assert.Equal(["d|*|", "run"], (await AzuriteStorage.PartitionAsync(Host.TablePrefix + "runs", runId))
            .Select(r => r.RowKey.StartsWith("d|*|", StringComparison.Ordinal) ? "d|*|" : r.RowKey).Distinct().Order(StringComparer.Ordinal));
        var grantRows = new List<int>();
        for (var bucket = 0; bucket < Vault.Core.Runs.RunStore.LargeGrantBuckets; bucket++)
        {
            grantRows.Add((await AzuriteStorage.PartitionAsync(Host.TablePrefix + "runs", $"{runId}|{bucket}")).Count);
        }

        Assert.All(grantRows, count => Assert.InRange(count, 1, ItemCount));
        Assert.True(grantRows.Sum() >= 2 * ItemCount, "a grant row and a domain row per item");

        // One domain: exactly its ten items, with their secrets.
        var shop7 = (await HttpAssert.Status(await CredentialsAsync(runId, token, "https://checkout.shop7.com/pay"), 200))!["credentials"]!.AsArray();
        var expected = Enumerable.Range(0, ItemCount).Where(i => i % 500 == 7).Select(i => $"pw-{i:D5}").ToList();
        Assert.Equal(expected, shop7.Select(c => c!["password"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        // A regular-expression URI is matched on the site itself, not on a registrable domain.
        var org = (await HttpAssert.Status(await CredentialsAsync(runId, token, "https://login.example.org/"), 200))!["credentials"]!.AsArray();
        Assert.Equal(["pw-regex"], org.Select(c => c!["password"]!.GetValue<string>()));

        // Current state still counts: an item disabled after creation is no longer handed out.
        var disabled = shop7.First()!["itemId"]!.GetValue<string>();
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(disabled), apiKey,
            new JsonObject { ["enabled"] = false }), 200);
        var again = (await HttpAssert.Status(await CredentialsAsync(runId, token, "shop7.com"), 200))!["credentials"]!.AsArray();
        Assert.Equal(expected.Count - 1, again.Count);
        Assert.DoesNotContain(again, c => c!["itemId"]!.GetValue<string>() == disabled);

        // The credential route is metered like every route.
        var usage = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/usage", apiKey), 200))!;
        Assert.Equal(3, usage["days"]!.AsArray().Single()!["byRoute"]!["GET /v1/runs/{runId}/credentials"]!.GetValue<long>());
        Assert.Empty(Host.Logs.Leaked("pw-00007", "pw-regex", token));
    }
}
