using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vault.Testing.OnePassword;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 15's figures, through the whole service (standalone host, Azurite, the real 1Password provider against the fake
/// server on 127.0.0.1): requests to 1Password (the quota's unit) and time for connect and for a no-change resync of N
/// login items in 2 vaults, how many hourly syncs it takes to cache every item's details within the budget, and the
/// requests of 100 runs reading a credential right after connect and once everything is cached.
/// </summary>
public static class OnePasswordSyncBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var counts = args.Length > 0 ? args.Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [10, 100, 1000, 5000];
        var storage = Stats.StorageOrExit();
        Console.WriteLine("budget: requests per service account and hour (ReadsPerHour), 100 kept for runs (ReadsKeptForRuns)");
        Console.WriteLine("budget |  items | connect req |    ms | cached | 100 runs req |    ms | hours to cache all | no-change resync req |  ms | 100 runs req |   ms");
        foreach (var budget in new[] { 1000, 10_000 })
        {
            foreach (var count in counts)
            {
                await MeasureAsync(storage, budget, count);
            }
        }
    }

    private static async Task MeasureAsync(string storage, int budget, int count)
    {
        await using var server = await FakeOnePasswordServer.StartAsync();
        var account = server.CreateAccount();
        var vaults = new[] { account.AddVault("Personal", "P"), account.AddVault("Work") };
        for (var i = 0; i < count; i++)
        {
            var item = vaults[i % 2].AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com/login", "website", null)],
                totp: i % 3 == 0 ? "JBSWY3DPEHPK3PXP" : null);
            item.UpdatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        var clock = new JumpingClock();
        var storageCalls = new StorageCallCounter();
        await using var host = await BenchHost.StartAsync(storage, services =>
        {
            services.AddSingleton<TimeProvider>(clock);
            storageCalls.AddTo(services);
            services.Configure<Vault.Core.Resync.ResyncOptions>(o => o.OnePasswordSyncsPerAccountPerDay = 1_000);
            services.Configure<Vault.Core.Providers.OnePassword.OnePasswordOptions>(o =>
            {
                o.PrivateCaPem = server.Ca.CaPem;
                o.ReadsPerHour = budget;
            });
        });
        var client = host.Client;

        server.ClearRequests();
        var watch = Stopwatch.StartNew();
        var connect = await client.PostAsJsonAsync("/v1/vault/connections", new { provider = "1password", token = account.MintToken() });
        var connectTime = watch.Elapsed;
        var connected = (await connect.Content.ReadFromJsonAsync<JsonObject>())!;
        if (!connect.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"connect failed: {connected.ToJsonString()}");
        }

        var connectRequests = server.Requests.Count;
        var items = connected["items"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToList();
        var cachedAtConnect = await CachedCountAsync(host);
        var (earlyRunRequests, earlyRunTime) = await BenchRuns.HundredReadsAsync(client, items, server.ClearRequests, () => server.Requests.Count);

        // Later hours: a resync an hour fills the rest of the details, oldest first.
        var hours = 0;
        while (await CachedCountAsync(host) < count && hours < 20)
        {
            clock.Jump(TimeSpan.FromHours(1));
            hours++;
            var resync = await client.PostAsJsonAsync("/v1/vault/items/sync", new { });
            if (!resync.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"resync failed: {await resync.Content.ReadAsStringAsync()}");
            }
        }

        // No change since the last sync, in the kept session.
        server.ClearRequests();
        watch.Restart();
        var again = await client.PostAsJsonAsync("/v1/vault/items/sync", new { });
        var resyncTime = watch.Elapsed;
        var resyncRequests = again.IsSuccessStatusCode ? server.Requests.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{(int)again.StatusCode}";
        var (runRequests, runTime) = await BenchRuns.HundredReadsAsync(client, items, server.ClearRequests, () => server.Requests.Count);

        // The background resync of the unchanged account, a day later (due; the kept session has expired by then, as
        // after a real 6-hour interval): the vault list's versions equal the last complete read's, so no item is listed.
        clock.Jump(TimeSpan.FromDays(1));
        var worker = host.App.Services.GetRequiredService<Vault.Core.Resync.ResyncWorker>();
        server.ClearRequests();
        storageCalls.Reset();
        watch.Restart();
        var outcome = await worker.ProcessAsync(new Vault.Core.Resync.ResyncMessage(host.AccountId, connected["connectionId"]!.GetValue<string>()), 1, default);
        var backgroundTime = watch.Elapsed;
        var backgroundPaths = server.Requests.Select(r => r.PathAndQuery).ToList();
        var backgroundStorage = storageCalls.Count;

        Console.WriteLine($"{budget,6} | {count,6} | {connectRequests,11} | {connectTime.TotalMilliseconds,5:F0} | {cachedAtConnect,6} | {earlyRunRequests,12} | {earlyRunTime.TotalMilliseconds,5:F0} | {hours,18} | {resyncRequests,20} | {resyncTime.TotalMilliseconds,3:F0} | {runRequests,12} | {runTime.TotalMilliseconds,4:F0}");
        Console.WriteLine($"       background resync with no change ({outcome}): {backgroundTime.TotalMilliseconds:F0} ms, {backgroundPaths.Count} provider requests " +
            $"({backgroundPaths.Count(p => p.Contains("/items/overviews", StringComparison.Ordinal))} overview lists, {backgroundPaths.Count(p => p.Contains("/api/v1/vaults", StringComparison.Ordinal))} vault list, the rest sign-in), " +
            $"{backgroundStorage} storage operations ({storageCalls.Summary()})");
    }

    /// <summary>Items whose details are in the cache (not waiting for a sync or a run to read them).</summary>
    private static async Task<int> CachedCountAsync(BenchHost host) =>
        (await host.App.Services.GetRequiredService<Vault.Core.Items.ItemStore>().ListAllAsync(host.AccountId, default)).Count(i => !i.Data.SecretsLive);

    /// <summary>The real clock, moved forward on demand (to the next budget hour) without waiting.</summary>
    private sealed class JumpingClock : TimeProvider
    {
        private long _offsetTicks;

        public void Jump(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
    }
}
