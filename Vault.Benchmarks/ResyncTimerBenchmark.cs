using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core;
using Vault.Core.Resync;

namespace Vault.Benchmarks;

/// <summary>Issue 5's figure: how long the resync timer takes to find and enqueue N due connections.</summary>
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
        var services = new ServiceCollection().AddLogging(l => l.ClearProviders()).AddVaultCore(configuration).BuildServiceProvider();

        // Connections as the connection store writes them, last synced a day ago: all due.
        var table = new TableServiceClient(storage).GetTableClient(prefix + "connections");
        await table.CreateIfNotExistsAsync();
        var lastSynced = DateTimeOffset.UtcNow.AddDays(-1);
        var seedTime = await Stats.TimeAsync(async () =>
        {
            var rows = Enumerable.Range(0, count).Select(i => new TableEntity($"acct-{i / 2:D8}", $"conn|conn-{i:D8}")
            {
                ["ConnectionId"] = $"conn-{i:D8}", ["Provider"] = "bitwarden", ["Status"] = "active", ["LastSyncedAt"] = lastSynced, ["CreatedAt"] = lastSynced,
            });
            await Parallel.ForEachAsync(rows.Chunk(2), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (pair, ct) =>
                await table.SubmitTransactionAsync(pair.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct));
        });
        Console.WriteLine($"seeded {count} connections in {seedTime.TotalSeconds:F1} s");

        var planner = services.GetRequiredService<ResyncPlanner>();
        var enqueued = 0;
        var elapsed = await Stats.TimeAsync(async () => enqueued = await planner.EnqueueDueAsync(default));
        var queue = await services.GetRequiredService<ResyncQueue>().QueueAsync();
        var depth = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        Console.WriteLine($"timer enqueued {enqueued} due connections in {elapsed.TotalSeconds:F2} s ({enqueued / elapsed.TotalSeconds:F0}/s); queue depth {depth}");
    }
}
