using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Storage;

/// <summary>Concurrent inserts of one partition against Azurite: each caller's row is stored, in far fewer requests.</summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class GroupedInsertsTests
{
    private sealed class RequestCounter : HttpPipelinePolicy
    {
        public int Count;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref Count);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Interlocked.Increment(ref Count);
            return ProcessNextAsync(message, pipeline);
        }
    }

    private static async Task<(TableClient Table, RequestCounter Requests)> NewTableAsync()
    {
        var requests = new RequestCounter();
        var options = new TableClientOptions();
        options.AddPolicy(requests, HttpPipelinePosition.PerCall);
        var table = new TableServiceClient(AzuriteStorage.ConnectionString, options).GetTableClient("grouped" + Ids.RandomBase32(8).ToLowerInvariant());
        await table.CreateIfNotExistsAsync();
        requests.Count = 0;
        return (table, requests);
    }

    private static async Task<List<string>> RowKeysAsync(TableClient table, string partition) =>
        (await AzuriteStorage.PartitionAsync(table.Name, partition)).Select(r => r.RowKey).ToList();

    [Fact]
    public async Task Every_concurrent_callers_row_is_stored_with_fewer_requests_than_rows()
    {
        var (table, requests) = await NewTableAsync();
        var inserts = new GroupedInserts();

        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => Task.Run(() =>
            inserts.InsertAsync(table, new TableEntity(i % 2 == 0 ? "even" : "odd", $"row-{i:D4}") { ["N"] = i }, default))));

        Assert.Equal(150, (await RowKeysAsync(table, "even")).Count);
        Assert.Equal(150, (await RowKeysAsync(table, "odd")).Count);
        Assert.True(requests.Count < 300, $"{requests.Count} requests for 300 rows");
    }

    [Fact]
    public async Task A_row_already_stored_by_an_earlier_try_counts_as_inserted_and_the_rest_of_its_group_is_stored()
    {
        var (table, _) = await NewTableAsync();
        await table.AddEntityAsync(new TableEntity("p", "row-0007") { ["N"] = 7 });
        var inserts = new GroupedInserts();

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => inserts.InsertAsync(table, new TableEntity("p", $"row-{i:D4}") { ["N"] = i }, default))));

        Assert.Equal(40, (await RowKeysAsync(table, "p")).Count);
    }
}
