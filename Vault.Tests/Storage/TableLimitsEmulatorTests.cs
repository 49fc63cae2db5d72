using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Core;
using Vault.Core.Common;
using Vault.Testing.TableLimits;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Storage;

/// <summary>
/// Azure's Table Storage targets in front of Azurite (<see cref="TableLimitsEmulator"/>), judged by the real TableClient:
/// a burst over a partition's or the account's rate gets 503 ServerBusy, a batch and a query count their entities, and
/// the app's own retry policy (<c>TableRetry</c>, as <c>AddVaultCore</c> registers it) gets a burst through without a storm.
/// The limits are tightened to tens of entities a second; a frozen clock makes the first three exact.
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class TableLimitsEmulatorTests
{
    private static readonly TableLimitsOptions Tight = new() { PartitionEntitiesPerSecond = 50, AccountEntitiesPerSecond = 10_000 };

    /// <summary>A client that never retries, so each throttled answer reaches the test as it came.</summary>
    private static async Task<TableClient> NoRetryTableAsync(TableLimitsEmulator emulator)
    {
        var options = new TableClientOptions { Retry = { MaxRetries = 0 } };
        var table = new TableServiceClient(emulator.ConnectionString, options).GetTableClient("limits" + Ids.RandomBase32(8).ToLowerInvariant());
        await table.CreateIfNotExistsAsync(); // table operations are not metered
        return table;
    }

    private static TableEntity Row(string partition, int i) => new(partition, $"row-{i:D4}") { ["N"] = i };

    private static async Task UpsertAllAsync(TableClient table, string partition, int count, int first = 0)
    {
        for (var i = first; i < first + count; i++)
        {
            await table.UpsertEntityAsync(Row(partition, i));
        }
    }

    private static async Task AssertServerBusyAsync(Func<Task> call)
    {
        var failure = await Assert.ThrowsAsync<RequestFailedException>(call);
        Assert.Equal(503, failure.Status);
        Assert.Equal("ServerBusy", failure.ErrorCode);
        var response = failure.GetRawResponse()!;
        Assert.True(response.Headers.TryGetValue("x-ms-error-code", out var code) && code == "ServerBusy");
        var body = response.Content.ToString();
        Assert.StartsWith("{\"odata.error\":{\"code\":\"ServerBusy\",\"message\":{\"lang\":\"en-US\",\"value\":\"The server is busy.\\nRequestId:", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_burst_over_the_partition_limit_is_503_ServerBusy_while_another_partition_is_still_served()
    {
        var clock = new FakeTimeProvider();
        await using var emulator = await TableLimitsEmulator.StartAsync(AzuriteStorage.ConnectionString, Tight, clock);
        var table = await NoRetryTableAsync(emulator);

        await UpsertAllAsync(table, "hot", 50);
        await AssertServerBusyAsync(() => table.UpsertEntityAsync(Row("hot", 50)));
        await AssertServerBusyAsync(() => table.GetEntityAsync<TableEntity>("hot", "row-0000"));
        await table.UpsertEntityAsync(Row("cold", 0)); // the same (frozen) second, another partition

        // Refilled at its rate: a fifth of a second later, ten more.
        clock.Advance(TimeSpan.FromMilliseconds(200));
        await UpsertAllAsync(table, "hot", 10, first: 50);
        await AssertServerBusyAsync(() => table.UpsertEntityAsync(Row("hot", 60)));

        var report = emulator.Report();
        Assert.Equal(3, report.Throttled);
        Assert.Equal(61, report.Entities);
        Assert.Equal(new PartitionId(table.Name, "hot"), report.PeakPartition);
        Assert.Equal(60, report.PeakPartitionEntitiesPerSecond);
        Assert.Equal(60, (await AzuriteStorage.PartitionAsync(table.Name, "hot")).Count); // throttled writes never reached storage
    }

    [Fact]
    public async Task The_account_limit_binds_across_partitions()
    {
        var clock = new FakeTimeProvider();
        await using var emulator = await TableLimitsEmulator.StartAsync(AzuriteStorage.ConnectionString,
            new TableLimitsOptions { PartitionEntitiesPerSecond = 50, AccountEntitiesPerSecond = 120 }, clock);
        var table = await NoRetryTableAsync(emulator);

        await UpsertAllAsync(table, "a", 50);
        await UpsertAllAsync(table, "b", 50);
        await UpsertAllAsync(table, "c", 20);
        await AssertServerBusyAsync(() => table.UpsertEntityAsync(Row("d", 0))); // a partition never used: the account is spent

        clock.Advance(TimeSpan.FromMilliseconds(100)); // 12 of the account's entities back
        await UpsertAllAsync(table, "d", 12);
        await AssertServerBusyAsync(() => table.UpsertEntityAsync(Row("e", 0)));
        Assert.Equal(132, emulator.Report().PeakAccountEntitiesPerSecond);
    }

    [Fact]
    public async Task A_batch_counts_each_of_its_operations_and_a_query_the_entities_it_returned()
    {
        var clock = new FakeTimeProvider();
        await using var emulator = await TableLimitsEmulator.StartAsync(AzuriteStorage.ConnectionString, Tight, clock);
        var table = await NoRetryTableAsync(emulator);

        await table.SubmitTransactionAsync(Enumerable.Range(0, 40).Select(i => new TableTransactionAction(TableTransactionActionType.Add, Row("p", i))));
        Assert.Equal(40, emulator.Report().Entities);
        await UpsertAllAsync(table, "p", 10, first: 40);
        await AssertServerBusyAsync(() => table.UpsertEntityAsync(Row("p", 50)));

        // Half a second: 25 back. A batch of 30 updates is more than that; one of 20 fits.
        clock.Advance(TimeSpan.FromMilliseconds(500));
        await AssertServerBusyAsync(() => table.SubmitTransactionAsync(Enumerable.Range(0, 30).Select(i => new TableTransactionAction(TableTransactionActionType.UpsertMerge, Row("p", i)))));
        await table.SubmitTransactionAsync(Enumerable.Range(0, 20).Select(i => new TableTransactionAction(TableTransactionActionType.UpdateMerge, Row("p", i))));
        Assert.Equal(70, emulator.Report().Entities);

        // Five left: a query of the partition is admitted and charged its 50 entities once answered.
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {"p"}")))
        {
            rows.Add(row);
        }

        Assert.Equal(50, rows.Count);
        Assert.Equal(120, emulator.Report().Entities);
        clock.Advance(TimeSpan.FromMilliseconds(500)); // 25 back repay part of the 45 the query overdrew
        await AssertServerBusyAsync(() => table.GetEntityAsync<TableEntity>("p", "row-0000"));
        Assert.False((await table.GetEntityIfExistsAsync<TableEntity>("other", "none")).HasValue); // another partition: served
        Assert.Equal(3, emulator.Report().Throttled);
    }

    [Fact]
    public async Task The_apps_retry_policy_gets_a_throttled_burst_through_without_a_storm()
    {
        var limits = new TableLimitsOptions { PartitionEntitiesPerSecond = 100, AccountEntitiesPerSecond = 1_000 };
        await using var emulator = await TableLimitsEmulator.StartAsync(AzuriteStorage.ConnectionString, limits);

        // The TableServiceClient exactly as the app registers it (Vault.Core's AddVaultCore), retry policy included.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["AzureWebJobsStorage"] = emulator.ConnectionString }).Build();
        await using var services = new ServiceCollection().AddLogging().AddVaultCore(configuration).BuildServiceProvider();
        var table = services.GetRequiredService<TableServiceClient>().GetTableClient("limits" + Ids.RandomBase32(8).ToLowerInvariant());
        await table.CreateIfNotExistsAsync();

        const int rows = 400, writers = 16;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = w; i < rows; i += writers)
            {
                await table.UpsertEntityAsync(Row("burst", i));
            }
        })));
        var elapsed = watch.Elapsed;

        var report = emulator.Report();
        Assert.Equal(rows, (await AzuriteStorage.PartitionAsync(table.Name, "burst")).Count);
        Assert.True(report.Throttled > 0, $"the limit never bound: {report}");
        // Every write needed one admitted request (plus the table's creation); backing off keeps the refused ones few.
        Assert.True(report.Forwarded + report.Throttled <= 2 * (rows + 1), $"{report.Forwarded + report.Throttled} attempts for {rows} writes: {report}");
        Assert.True(elapsed >= TimeSpan.FromSeconds((rows - limits.PartitionEntitiesPerSecond) / limits.PartitionEntitiesPerSecond * 0.9), $"{elapsed} is faster than the limit allows");
        Console.WriteLine($"{rows} writes by {writers} writers at {limits.PartitionEntitiesPerSecond}/s: {elapsed.TotalSeconds:F1} s, {report}");
    }
}
