using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core;
using Vault.Core.Resync;

namespace Vault.Benchmarks;

/// <summary>
/// The resync timer's cost per tick at N connections, on the due-time index: N connection rows as written before the
/// index (1% due: last synced a day ago; the rest an hour ago), then
/// <list type="number">
/// <item>the first tick: the one-time backfill of the N rows, and the 1% due enqueued;</item>
/// <item>a tick with nothing due;</item>
/// <item>a tick 5 h later, when about 1% more have come due (their jitter spreads them over 6 to 7.5 h).</item>
/// </list>
/// Each prints its time, the table rows it read (per table) and its requests. Measured on in-memory Azurite, 2 shared
/// cores, 1% due: before the index a tick read all N connection rows whatever was due (10,000: 1.5 s, 10,000 rows;
/// 100,000: 21.8 s, 100,000 rows); on the index it reads no connection row (10,000: 0.14 s with nothing due, 0.32 s for
/// 95 due; 100,000: 1.9 s and 5.9 s for 961 due, index rows read = due entries). The time left with nothing due is
/// Azurite's: it evaluates a range query by scanning the whole table, where Table Storage seeks the partition range.
/// </summary>
public static class ResyncTimerBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
        var storage = Stats.StorageOrExit();
        var prefix = "r" + Vault.Core.Common.Ids.RandomBase32(6);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = storage,
            ["Vault:TablePrefix"] = prefix,
            ["Vault:AllowLocalSecretStore"] = "true",
            ["Vault:LocalSecretKey"] = Convert.ToBase64String(new byte[32]),
            ["Vault:Resync:QueueName"] = prefix + "-resync",
            ["Vault:Resync:BackfillRowsPerTick"] = int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build();
        var clock = new BenchClock(DateTimeOffset.UtcNow);
        var counter = new StorageCallCounter();
        var collection = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddSingleton<TimeProvider>(clock).AddVaultCore(configuration);
        counter.AddTo(collection);
        var services = collection.BuildServiceProvider();

        var table = new TableServiceClient(storage).GetTableClient(prefix + "connections");
        await table.CreateIfNotExistsAsync();
        var due = count / 100;
        var seedTime = await Stats.TimeAsync(async () =>
        {
            var rows = Enumerable.Range(0, count).Select(i =>
            {
                var lastSynced = i < due ? clock.Now.AddDays(-1) : clock.Now.AddHours(-1);
                return new TableEntity($"acct-{i / 2:D8}", $"conn|conn-{i:D8}")
                {
                    ["ConnectionId"] = $"conn-{i:D8}", ["Provider"] = "bitwarden", ["Status"] = "active", ["LastSyncedAt"] = lastSynced, ["CreatedAt"] = lastSynced,
                };
            });
            await Parallel.ForEachAsync(rows.Chunk(2), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, ct) =>
                await table.SubmitTransactionAsync(pair.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));
        });
        Console.WriteLine($"seeded {count} connections written before the index ({due} due) in {seedTime.TotalSeconds:F1} s");

        var planner = services.GetRequiredService<ResyncPlanner>();
        async Task TickAsync(string what)
        {
            var enqueued = 0;
            counter.Reset();
            var elapsed = await Stats.TimeAsync(async () => enqueued = await planner.EnqueueDueAsync(default));
            Console.WriteLine($"{what}: enqueued {enqueued} in {elapsed.TotalMilliseconds:F0} ms; rows read: {counter.RowSummary()}; requests: {counter.Count} ({counter.Summary()})");
        }

        await TickAsync("first tick (one-time backfill)");
        await TickAsync("tick, nothing due");
        // 1 h since the last sync + 5 h: the earliest of the 6 h × (1 + 0.25 × jitter) are due, ~1% of them after 54 s more.
        clock.Now += TimeSpan.FromHours(5) + TimeSpan.FromSeconds(54);
        await TickAsync("tick, ~1% due");
    }
}
