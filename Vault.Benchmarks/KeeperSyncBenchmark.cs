using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vault.Testing.Keeper;

namespace Vault.Benchmarks;

/// <summary>
/// Keeper Secrets Manager through the whole service (standalone host, Azurite, the real provider against the fake
/// server on 127.0.0.1 over https): requests to Keeper and time for connect with a one-time token, a sync with 1% of
/// the records edited, and 100 runs reading a credential (served from the cache: no Keeper request expected).
/// Records are spread over the application itself and 4 shared folders, each with a URL and every third a TOTP seed.
/// </summary>
public static class KeeperSyncBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var counts = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [100, 1000, 5000];
        var storage = Stats.StorageOrExit();
        Console.WriteLine("records | connect req |    ms | items | sync (1% edited) req |    ms | 100 runs Keeper req |   ms");
        foreach (var count in counts)
        {
            await MeasureAsync(storage, count);
        }
    }

    private static async Task MeasureAsync(string storage, int count)
    {
        await using var server = await FakeKeeperServer.StartAsync(null, 10);
        var app = server.CreateApplication("Bench fleet");
        var folders = Enumerable.Range(0, 4).Select(f => app.Folder($"Team {f}")).ToList();
        var records = new List<FakeKeeperRecord>();
        for (var i = 0; i < count; i++)
        {
            var data = FakeKeeperApplication.Login($"Site {i}", $"user{i}", $"pw-{i}", [$"https://site{i}.example.com/login"],
                i % 3 == 0 ? "otpauth://totp/Site:user?secret=JBSWY3DPEHPK3PXP" : null);
            if (i % 2 == 0)
            {
                records.Add(app.Share(data));
            }
            else
            {
                var record = new FakeKeeperRecord { Data = data };
                folders[i % 4].Records.Add(record);
                records.Add(record);
            }
        }

        await using var host = await BenchHost.StartAsync(storage, services => services.Configure<Vault.Core.Providers.Keeper.KeeperOptions>(o =>
        {
            o.PrivateCaPem = server.Ca.CaPem;
            o.ServerPublicKey = server.PublicKeyOf(10);
            o.ServerPublicKeyId = "10";
        }));
        var client = host.Client;

        server.ClearRequests();
        var watch = Stopwatch.StartNew();
        var connect = await client.PostAsJsonAsync("/v1/vault/connections", new { provider = "keeper", token = server.MintToken(app) });
        var connectTime = watch.Elapsed;
        var connected = (await connect.Content.ReadFromJsonAsync<JsonObject>())!;
        if (!connect.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"connect failed: {connected.ToJsonString()}");
        }

        var connectRequests = server.Requests.Count;
        var items = connected["items"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToList();

        foreach (var record in records.Where((_, i) => i % 100 == 0))
        {
            record.Edit(d => d["title"] = d["title"]!.GetValue<string>() + " (edited)");
        }

        server.ClearRequests();
        watch.Restart();
        var sync = await client.PostAsJsonAsync("/v1/vault/items/sync", new { });
        var syncTime = watch.Elapsed;
        if (!sync.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"sync failed: {await sync.Content.ReadAsStringAsync()}");
        }

        var syncRequests = server.Requests.Count;
        var (runRequests, runTime) = await BenchRuns.HundredReadsAsync(client, items, server.ClearRequests, () => server.Requests.Count);
        Console.WriteLine($"{count,7} | {connectRequests,11} | {connectTime.TotalMilliseconds,5:F0} | {items.Count,5} | {syncRequests,20} | {syncTime.TotalMilliseconds,5:F0} | {runRequests,19} | {runTime.TotalMilliseconds,4:F0}");
    }
}
