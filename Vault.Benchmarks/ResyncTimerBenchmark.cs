using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core;
using Vault.Core.Resync;

namespace Vault.Benchmarks;

/// <summary>
/// The resync timer's cost per tick at N connections: N connection rows, 1% of them due (last synced a day ago), the rest
/// synced an hour ago. Prints the time of one tick and the storage rows it read.
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
        }).Build();
        var counter = new StorageCallCounter();
        var collection = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddVaultCore(configuration);
        counter.AddTo(collection);
        var services = collection.BuildServiceProvider();

        var table = new TableServiceClient(storage).GetTableClient(prefix + "connections");
        await table.CreateIfNotExistsAsync();
        var now = DateTimeOffset.UtcNow;
        var due = count / 100;
        var seedTime = await Stats.TimeAsync(async () =>
        {
            var rows = Enumerable.Range(0, count).Select(i =>
            {
                var lastSynced = i < due ? now.AddDays(-1) : now.AddHours(-1);
                return new TableEntity($"acct-{i / 2:D8}", $"conn|conn-{i:D8}")
                {
                    ["ConnectionId"] = $"conn-{i:D8}", ["Provider"] = "bitwarden", ["Status"] = "active", ["LastSyncedAt"] = lastSynced, ["CreatedAt"] = lastSynced,
                };
            });
            await Parallel.ForEachAsync(rows.Chunk(2), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, ct) =>
                await table.SubmitTransactionAsync(pair.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));
        });
        Console.WriteLine($"seeded {count} connections ({due} due) in {seedTime.TotalSeconds:F1} s");

        var planner = services.GetRequiredService<ResyncPlanner>();
        var enqueued = 0;
        counter.Reset();
        var elapsed = await Stats.TimeAsync(async () => enqueued = await planner.EnqueueDueAsync(default));
        Console.WriteLine($"tick: enqueued {enqueued} in {elapsed.TotalMilliseconds:F0} ms; rows read: {counter.RowSummary()}; requests: {counter.Summary()}");
    }
}
