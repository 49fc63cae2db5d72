using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Vault.Benchmarks;

/// <summary>What the provider benchmarks measure the same way: runs reading their credential.</summary>
public static class BenchRuns
{
    /// <summary>
    /// 100 runs, each granted one item spread over <paramref name="items"/>, each reading its credential once; the time
    /// of the reads and the provider requests they caused (counted by the fake server through the two delegates).
    /// </summary>
    public static async Task<(int ProviderRequests, TimeSpan Time)> HundredReadsAsync(
        HttpClient client, IReadOnlyList<string> items, Action clearProviderRequests, Func<int> providerRequests)
    {
        var runs = new List<(string Id, string Token)>();
        for (var r = 0; r < 100; r++)
        {
            var run = (await (await client.PostAsJsonAsync("/v1/runs", new { use_vault = true, credential_item_ids = new[] { items[r * items.Count / 100 % items.Count] } }))
                .Content.ReadFromJsonAsync<JsonObject>())!;
            runs.Add((run["runId"]!.GetValue<string>(), run["runToken"]!.GetValue<string>()));
        }

        clearProviderRequests();
        var watch = Stopwatch.StartNew();
        foreach (var (id, token) in runs)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{id}/credentials");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"run credential read failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            }
        }

        return (providerRequests(), watch.Elapsed);
    }
}
