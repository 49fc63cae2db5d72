using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vault.Core;
using Vault.Core.Accounts;
using Vault.Core.Common;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Storage;

/// <summary>
/// Metering's write side against Azurite: a call row exists exactly when it is counted, whatever fails in between.
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class CallLedgerTests
{
    private static readonly DateOnly Today = new(2026, 11, 24);
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T10:00:05Z", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Lets chosen requests reach storage and then throws, as when a response is lost on the way back.</summary>
    private sealed class LoseResponses : HttpPipelinePolicy
    {
        public int ToLose;

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Decrement(ref ToLose) >= 0)
            {
                throw new HttpRequestException("the response was lost after the transaction landed");
            }
        }
    }

    private (Metering Metering, CallLedger Ledger, Tables Tables) NewMetering(LoseResponses? policy = null)
    {
        var options = new TableClientOptions();
        if (policy is not null)
        {
            options.AddPolicy(policy, HttpPipelinePosition.PerCall);
        }

        var tables = new Tables(new TableServiceClient(AzuriteStorage.ConnectionString, options),
            Options.Create(new VaultOptions { TablePrefix = "t" + Ids.RandomBase32(8) }));
        var ledger = new CallLedger();
        return (new Metering(tables, ledger, new UsageRollup(tables, _clock, NullLogger<UsageRollup>.Instance), _clock), ledger, tables);
    }

    private static async Task<(int CallRows, long Counted)> StoredAsync(Tables tables, string accountId)
    {
        var rows = await AzuriteStorage.PartitionAsync((await tables.UsageAsync()).Name, accountId);
        return (rows.Count(r => r.RowKey.StartsWith("c|", StringComparison.Ordinal)),
            rows.Where(r => r.RowKey.StartsWith("s|", StringComparison.Ordinal)).Sum(r => r.GetInt64("Calls") ?? 0));
    }

    [Fact]
    public async Task A_transaction_whose_answer_was_lost_is_counted_once_and_the_next_calls_still_count()
    {
        var lost = new LoseResponses { ToLose = 1 };
        var (metering, _, tables) = NewMetering(lost);

        // The first write lands but its caller hears a failure; its retry finds the call row and must not count again.
        await metering.CountAsync("acct-lost", "GET /v1/vault/items", "req_first", CancellationToken.None);
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => metering.CountAsync("acct-lost", "GET /v1/usage", $"req_{i}", CancellationToken.None)));

        Assert.Equal((31, 31L), await StoredAsync(tables, "acct-lost"));
        var day = Assert.Single(await metering.ReadAsync("acct-lost", Today, Today, CancellationToken.None));
        Assert.Equal((31L, 1L, 30L), (day.Calls, day.ByRoute["GET /v1/vault/items"], day.ByRoute["GET /v1/usage"]));
    }

    [Fact]
    public async Task Removing_a_given_up_call_uncounts_it_and_removing_one_never_written_changes_nothing()
    {
        var (metering, ledger, tables) = NewMetering();
        var table = await tables.UsageAsync();
        await Task.WhenAll(Enumerable.Range(0, 10).Select(i => metering.CountAsync("acct-rm", "POST /v1/runs", $"req_{i}", CancellationToken.None)));
        var minute = new DateTime(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);

        await Task.WhenAll(
            ledger.RemoveAsync(table, "acct-rm", minute, "req_3", "POST /v1/runs", CancellationToken.None),
            ledger.RemoveAsync(table, "acct-rm", minute, "req_never", "POST /v1/runs", CancellationToken.None),
            ledger.RemoveAsync(table, "acct-rm", minute, "req_3", "POST /v1/runs", CancellationToken.None));

        Assert.Equal((9, 9L), await StoredAsync(tables, "acct-rm"));
        Assert.Equal(9, Assert.Single(await metering.ReadAsync("acct-rm", Today, Today, CancellationToken.None)).Calls);
    }

    [Fact]
    public async Task Two_instances_counting_the_same_account_at_once_keep_their_own_counters_and_lose_nothing()
    {
        var first = NewMetering();
        var second = new Metering(first.Tables, new CallLedger(), new UsageRollup(first.Tables, _clock, NullLogger<UsageRollup>.Instance), _clock);

        await Task.WhenAll(Enumerable.Range(0, 400).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first.Metering : second).CountAsync("acct-two", "GET /v1/vault/items", $"req_{i}", CancellationToken.None))));

        Assert.Equal((400, 400L), await StoredAsync(first.Tables, "acct-two"));
        Assert.Equal(400, Assert.Single(await second.ReadAsync("acct-two", Today, Today, CancellationToken.None)).Calls);
    }
}
