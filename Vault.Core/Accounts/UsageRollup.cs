using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

/// <summary>
/// Folds an account's per-instance minute counters (<see cref="CallLedger"/>) into minute, hour and day rollups so a
/// usage read is a few small range queries, not a scan. Only sealed minutes are folded: those ending <see cref="Grace"/>
/// before now, by which time every call stamped with them has been written or given up
/// (<see cref="Metering.WriteBudget"/>), with room for clock skew between instances. A rollup row is recomputed from the tier below it, and each step writes its rows together with the
/// watermark in one entity-group transaction conditional on the watermark's ETag: two instances rolling at once
/// cannot both write, and a reader never sees the watermark without its rows. Afterwards call rows below the watermark
/// (needed only while their call's write could still be retried) and counter and minute rows well below it are deleted,
/// so the table stays small.
/// </summary>
public sealed class UsageRollup(Tables tables, TimeProvider clock, ILogger<UsageRollup> logger)
{
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(2);

    /// <summary>A usage read catches an account up itself when the background step has fallen this far behind.</summary>
    private static readonly TimeSpan ReadLag = TimeSpan.FromMinutes(10);

    /// <summary>Accounts this instance metered, with the last minute it metered for each, until the rollup passes it.</summary>
    private readonly ConcurrentDictionary<string, DateTime> _pending = new(StringComparer.Ordinal);

    private DateTime SealedBefore => UsageKeys.FloorMinute(clock.GetUtcNow().UtcDateTime - Grace);

    internal void MarkPending(string accountId, DateTime minute) =>
        _pending.AddOrUpdate(accountId, minute, (_, known) => known > minute ? known : minute);

    /// <summary>The background step: rolls up every account this instance metered; returns how many it rolled.</summary>
    public async Task<int> RollUpPendingAsync(CancellationToken ct)
    {
        var rolled = 0;
        foreach (var (accountId, lastMinute) in _pending.ToArray())
        {
            try
            {
                var through = await RollUpAsync(accountId, ct).ConfigureAwait(false);
                rolled++;
                if (through > lastMinute)
                {
                    _pending.TryRemove(new KeyValuePair<string, DateTime>(accountId, lastMinute));
                }
            }
            catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
            {
                // Nothing is lost: the call rows stay, readers count them, and the next round tries again.
                logger.LogWarning("Usage rollup of an account failed ({ErrorType}); it is tried again next round", ex.GetType().Name);
            }
        }

        return rolled;
    }

    /// <summary>The watermark a read may use: the stored one, or a fresh rollup's when the stored one lags far behind.</summary>
    internal async Task<DateTime?> CurrentWatermarkAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.UsageAsync(ct).ConfigureAwait(false);
        var mark = await ReadWatermarkAsync(table, accountId, ct).ConfigureAwait(false);
        return mark.Through is { } through && through >= SealedBefore - ReadLag
            ? through
            : await RollUpAsync(accountId, ct).ConfigureAwait(false);
    }

    /// <summary>Rolls the account's sealed minutes up; returns the watermark after it (null: no call recorded yet).</summary>
    public async Task<DateTime?> RollUpAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.UsageAsync(ct).ConfigureAwait(false);
        var mark = await ReadWatermarkAsync(table, accountId, ct).ConfigureAwait(false);
        var sealedBefore = SealedBefore;
        if ((mark.Through ?? await FirstCountedMinuteAsync(table, accountId, ct).ConfigureAwait(false)) is not { } start || start >= sealedBefore)
        {
            return mark.Through;
        }

        // An hour at most per step, so a step's rows and the watermark fit one entity-group transaction.
        var (through, etag) = (start, mark.ETag);
        while (through < sealedBefore)
        {
            var stepEnd = Min(UsageKeys.FloorHour(through).AddHours(1), sealedBefore);
            if (await StepAsync(table, accountId, through, stepEnd, etag, ct).ConfigureAwait(false) is not { } next)
            {
                // Another instance moved the watermark first; its rows are the same and stand.
                return (await ReadWatermarkAsync(table, accountId, ct).ConfigureAwait(false)).Through;
            }

            (through, etag) = (stepEnd, next);
        }

        await CleanUpAsync(table, accountId, through, ct).ConfigureAwait(false);
        return through;
    }

    /// <summary>
    /// Folds the calls of [from, to) (within one hour) into minute rows, and into the hour's and day's rows when they
    /// end at <paramref name="to"/>; writes them with the watermark in one transaction, conditional on the watermark
    /// being unchanged (a slower, older rollup writes nothing). Returns the new watermark's ETag, or null on conflict.
    /// </summary>
    private async Task<ETag?> StepAsync(TableClient table, string accountId, DateTime from, DateTime to, ETag? watermarkETag, CancellationToken ct)
    {
        var minutes = new SortedDictionary<DateTime, Dictionary<string, long>>();
        var counters = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and RowKey ge {UsageKeys.Key(UsageKeys.ShardPrefix, from)} and RowKey lt {UsageKeys.Key(UsageKeys.ShardPrefix, to)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(counters, maxPerPage: 1000, select: ["RowKey", "ByRoute"], cancellationToken: ct).ConfigureAwait(false))
        {
            var minute = UsageKeys.MinuteOfRow(entity.RowKey);
            RouteCounts.AddInto(minutes.TryGetValue(minute, out var r) ? r : minutes[minute] = new(StringComparer.Ordinal), RouteCounts.Parse(entity.GetString("ByRoute")));
        }

        var writes = minutes.Where(m => m.Value.Values.Sum() != 0).Select(m => Row(accountId, UsageKeys.Key(UsageKeys.MinutePrefix, m.Key), m.Value)).ToList();
        var hourStart = UsageKeys.FloorHour(from);
        if (to == hourStart.AddHours(1))
        {
            // The hour is complete: its row from its minutes (the earlier ones rolled up by earlier steps)...
            var hour = Sum((await ReadRowsAsync(table, accountId, UsageKeys.MinutePrefix, hourStart, from, ct).ConfigureAwait(false))
                .Concat(minutes.Select(m => (m.Key, (IReadOnlyDictionary<string, long>)m.Value))));
            if (hour.Count > 0)
            {
                writes.Add(Row(accountId, UsageKeys.Key(UsageKeys.HourPrefix, hourStart), hour));
            }

            // ...and at midnight the day's row from its hours.
            if (to.TimeOfDay == TimeSpan.Zero)
            {
                var day = Sum((await ReadRowsAsync(table, accountId, UsageKeys.HourPrefix, hourStart.Date, hourStart, ct).ConfigureAwait(false))
                    .Append((hourStart, hour)));
                if (day.Count > 0)
                {
                    writes.Add(Row(accountId, UsageKeys.Key(UsageKeys.DayPrefix, hourStart.Date), day));
                }
            }
        }

        var actions = writes.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)).ToList();
        var watermark = new TableEntity(accountId, UsageKeys.WatermarkRow) { ["Through"] = UsageKeys.Minute(to) };
        actions.Add(watermarkETag is { } etag
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, watermark, etag)
            : new TableTransactionAction(TableTransactionActionType.Add, watermark));
        try
        {
            var response = await table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false);
            return response.Value[actions.Count - 1].Headers.ETag
                ?? (await ReadWatermarkAsync(table, accountId, ct).ConfigureAwait(false)).ETag;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>
    /// Rows no read or rollup needs any more: call rows below the watermark (no read uses them; their calls' writes are
    /// long over), counter and minute rows well below it (the margin covers a read that took the previous watermark a
    /// moment ago). Best effort: a leftover row is below the watermark and never counted again.
    /// </summary>
    private async Task CleanUpAsync(TableClient table, string accountId, DateTime through, CancellationToken ct)
    {
        try
        {
            await DeleteBelowAsync(table, accountId, UsageKeys.CallPrefix, through, ct).ConfigureAwait(false);
            await DeleteBelowAsync(table, accountId, UsageKeys.ShardPrefix, through - (ReadLag + ReadLag), ct).ConfigureAwait(false);
            await DeleteBelowAsync(table, accountId, UsageKeys.MinutePrefix, UsageKeys.FloorHour(through).AddHours(-1), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            logger.LogWarning("Clean-up of rolled-up usage rows failed ({ErrorType}); it is tried again next round", ex.GetType().Name);
        }
    }

    private static async Task DeleteBelowAsync(TableClient table, string accountId, string prefix, DateTime before, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey ge {prefix} and RowKey lt {UsageKeys.Key(prefix, before)}");
        var keys = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false))
        {
            keys.Add(entity.RowKey);
        }

        foreach (var batch in keys.Chunk(100))
        {
            try
            {
                await table.SubmitTransactionAsync(batch.Select(k => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(accountId, k), ETag.All)), ct)
                    .ConfigureAwait(false);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // Another instance cleaned some of them up at the same time: the rest one by one.
                foreach (var key in batch)
                {
                    try
                    {
                        await table.DeleteEntityAsync(accountId, key, ETag.All, ct).ConfigureAwait(false);
                    }
                    catch (RequestFailedException gone) when (gone.Status == 404)
                    {
                    }
                }
            }
        }
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static async Task<(DateTime? Through, ETag? ETag)> ReadWatermarkAsync(TableClient table, string accountId, CancellationToken ct)
    {
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(accountId, UsageKeys.WatermarkRow, cancellationToken: ct).ConfigureAwait(false);
        return stored.HasValue ? (UsageKeys.ParseMinute(stored.Value!.GetString("Through")), stored.Value.ETag) : (null, null);
    }

    private static async Task<DateTime?> FirstCountedMinuteAsync(TableClient table, string accountId, CancellationToken ct)
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, UsageKeys.ShardPrefix), maxPerPage: 1,
            select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false))
        {
            return UsageKeys.MinuteOfRow(entity.RowKey);
        }

        return null;
    }

    private static async Task<List<(DateTime At, IReadOnlyDictionary<string, long> ByRoute)>> ReadRowsAsync(
        TableClient table, string accountId, string prefix, DateTime from, DateTime to, CancellationToken ct)
    {
        var rows = new List<(DateTime, IReadOnlyDictionary<string, long>)>();
        if (from >= to)
        {
            return rows;
        }

        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and RowKey ge {UsageKeys.Key(prefix, from)} and RowKey lt {UsageKeys.Key(prefix, to)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "ByRoute"], cancellationToken: ct).ConfigureAwait(false))
        {
            var digits = entity.RowKey[prefix.Length..].PadRight(12, '0');
            rows.Add((UsageKeys.ParseMinute(digits), RouteCounts.Parse(entity.GetString("ByRoute"))));
        }

        return rows;
    }

    private static Dictionary<string, long> Sum(IEnumerable<(DateTime At, IReadOnlyDictionary<string, long> ByRoute)> rows)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (_, byRoute) in rows)
        {
            RouteCounts.AddInto(sum, byRoute);
        }

        return sum;
    }

    private static TableEntity Row(string accountId, string rowKey, IReadOnlyDictionary<string, long> byRoute) =>
        new(accountId, rowKey) { ["ByRoute"] = RouteCounts.Format(byRoute), ["Calls"] = byRoute.Values.Sum() };
}
