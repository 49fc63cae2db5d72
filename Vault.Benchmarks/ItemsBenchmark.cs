using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Core.Providers;
using Vault.Functions.Hosting;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 2's figure: GET /v1/vault/items?domain= over HTTP on an account with N cached items, against a single Table
/// Storage point read on the same Azurite (the floor). Also the first sync of N items and a resync with no change.
/// </summary>
public static class ItemsBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var itemCount = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var storage = Stats.StorageOrExit();
        await using var host = await BenchHost.StartAsync(storage, services => services.AddSingleton<IVaultProvider>(new BenchProvider(itemCount, itemCount / 5)));
        var http = host.Client;
        var app = host.App;
        var accountId = host.AccountId;
        var prefix = host.TablePrefix;

        HttpResponseMessage? connect = null;
        var connectTime = await Stats.TimeAsync(async () => connect = await http.PostAsJsonAsync("/v1/vault/connections",
            new { provider = "bitwarden", clientId = "user.00000000-0000-0000-0000-000000000001", clientSecret = "x", masterPassword = "y" }));
        var connected = (await connect!.Content.ReadFromJsonAsync<JsonObject>())!;
        Console.WriteLine($"connect + first sync of {connected["itemCount"]} items: {connectTime.TotalSeconds:F2} s");

        JsonObject? resync = null;
        var resyncTime = await Stats.TimeAsync(async () => resync = (await (await http.PostAsync("/v1/vault/items/sync", null)).Content.ReadFromJsonAsync<JsonObject>())!);
        Console.WriteLine($"resync with no change: {resyncTime.TotalSeconds:F2} s, summary {resync!["sync_summary"]!.ToJsonString()}");

        var domain = "shop3.com";
        var found = (await http.GetFromJsonAsync<JsonObject>($"/v1/vault/items?domain=https://login.{domain}/x"))!["items"]!.AsArray().Count;
        var byDomain = await Stats.SampleAsync(200, async () => (await http.GetAsync($"/v1/vault/items?domain=https://login.{domain}/x")).EnsureSuccessStatusCode());
        var firstPage = await Stats.SampleAsync(100, async () => (await http.GetAsync("/v1/vault/items?limit=100")).EnsureSuccessStatusCode());

        var table = new TableServiceClient(storage).GetTableClient(prefix + "items");
        var itemId = connected["items"]![0]!["itemId"]!.GetValue<string>();
        var pointRead = await Stats.SampleAsync(200, async () => await table.GetEntityAsync<TableEntity>(ItemKeys.Partition(accountId, itemId), ItemKeys.IdRow(itemId)));
        var rangeFilter = TableKeys.PrefixFilter(ItemKeys.Partition(accountId, itemId), ItemKeys.DomainRangePrefix(domain)); // one bucket's range
        var rawRange = await Stats.SampleAsync(200, async () =>
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(rangeFilter, maxPerPage: 101))
            {
            }
        });
        var health = await Stats.SampleAsync(200, async () => (await http.GetAsync("/v1/health")).EnsureSuccessStatusCode());
        var rangeAll = await Stats.TimeAsync(async () => await app.Services.GetRequiredService<ItemStore>().ListAllAsync(accountId, default));

        Console.WriteLine($"GET /v1/vault/items?domain= ({found} matches of {itemCount}), HTTP: median {byDomain.Median:F2} ms, p95 {byDomain.P95:F2} ms");
        Console.WriteLine($"GET /v1/vault/items?limit=100, HTTP:             median {firstPage.Median:F2} ms, p95 {firstPage.P95:F2} ms");
        Console.WriteLine($"Table point read (SDK, no HTTP layer):          median {pointRead.Median:F2} ms, p95 {pointRead.P95:F2} ms");
        Console.WriteLine($"Table range query of one bucket.s domain rows:  median {rawRange.Median:F2} ms, p95 {rawRange.P95:F2} ms");
        Console.WriteLine($"GET /v1/health, HTTP (no storage):              median {health.Median:F2} ms");
        Console.WriteLine($"ratio domain query / point read (medians):      {byDomain.Median / pointRead.Median:F2}");
        Console.WriteLine($"ratio raw domain range query / point read:      {rawRange.Median / pointRead.Median:F2}");
        Console.WriteLine($"for scale, reading all {itemCount} items once:        {rangeAll.TotalMilliseconds:F0} ms");
    }
}
