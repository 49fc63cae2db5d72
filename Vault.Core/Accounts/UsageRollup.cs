using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

/// <summary>
/// Folds an account's call rows into minute, hour and day rollups so a usage read is a few small range queries, not a
/// scan. Only sealed minutes are folded: those ending <see cref="Grace"/> before now, by which time every call stamped
/// with them has been written or given up (<see cref="Metering.WriteBudget"/>), with room for clock skew between
/// instances. A rollup row is recomputed from everything below it, so running twice, or on two instances at once,
/// writes the same rows; the watermark moves last, under its ETag, so a reader never sees it ahead of the rows.
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
        var from = mark.Through ?? await FirstCallMinuteAsync(table, accountId, ct).ConfigureAwait(false);
        if (from is not { } start || start >= sealedBefore)
        {
            return mark.Through;
        }

        // Calls of the sealed minutes, by minute and route.
        var minutes = new SortedDictionary<DateTime, Dictionary<string, long>>();
        var calls = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and RowKey ge {UsageKeys.Key(UsageKeys.CallPrefix, start)} and RowKey lt {UsageKeys.Key(UsageKeys.CallPrefix, sealedBefore)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(calls, maxPerPage: 1000, select: ["RowKey", "Route"], cancellationToken: ct).ConfigureAwait(false))
        {
            var minute = UsageKeys.MinuteOfRow(entity.RowKey);
            var routes = minutes.TryGetValue(minute, out var r) ? r : minutes[minute] = new(StringComparer.Ordinal);
            var route = entity.GetString("Route");
            routes[route] = routes.GetValueOrDefault(route) + 1;
        }

        var writes = minutes.Select(m => Row(accountId, UsageKeys.Key(UsageKeys.MinutePrefix, m.Key), m.Value)).ToList();

        // Hours that are now complete, from their minutes (the first one's earlier minutes were rolled up before)...
        var hourStart = UsageKeys.FloorHour(start);
        var earlierMinutes = await ReadRowsAsync(table, accountId, UsageKeys.MinutePrefix, hourStart, start, ct).ConfigureAwait(false);
        var hours = Sum(earlierMinutes.Concat(minutes.Select(m => (m.Key, (IReadOnlyDictionary<string, long>)m.Value))), UsageKeys.FloorHour)
            .Where(h => h.Key.AddHours(1) <= sealedBefore).ToList();
        writes.AddRange(hours.Select(h => Row(accountId, UsageKeys.Key(UsageKeys.HourPrefix, h.Key), h.Value)));

        // ...and days that are now complete, from their hours.
        var earlierHours = await ReadRowsAsync(table, accountId, UsageKeys.HourPrefix, start.Date, hourStart, ct).ConfigureAwait(false);
        var days = Sum(earlierHours.Concat(hours.Select(h => (h.Key, (IReadOnlyDictionary<string, long>)h.Value))), t => t.Date)
            .Where(d => d.Key.AddDays(1) <= sealedBefore);
        writes.AddRange(days.Select(d => Row(accountId, UsageKeys.Key(UsageKeys.DayPrefix, d.Key), d.Value)));

        foreach (var batch in writes.Chunk(100))
        {
            await table.SubmitTransactionAsync(batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e)), ct).ConfigureAwait(false);
        }

        var watermark = new TableEntity(accountId, UsageKeys.WatermarkRow) { ["Through"] = UsageKeys.Minute(sealedBefore) };
        try
        {
            if (mark.ETag is { } etag)
            {
                await table.UpdateEntityAsync(watermark, etag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            }
            else
            {
                await table.AddEntityAsync(watermark, ct).ConfigureAwait(false);
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Another instance rolled up at the same time; its rows are the same and its watermark stands.
            return (await ReadWatermarkAsync(table, accountId, ct).ConfigureAwait(false)).Through;
        }

        return sealedBefore;
    }

    private static async Task<(DateTime? Through, ETag? ETag)> ReadWatermarkAsync(TableClient table, string accountId, CancellationToken ct)
    {
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(accountId, UsageKeys.WatermarkRow, cancellationToken: ct).ConfigureAwait(false);
        return stored.HasValue ? (UsageKeys.ParseMinute(stored.Value!.GetString("Through")), stored.Value.ETag) : (null, null);
    }

    private static async Task<DateTime?> FirstCallMinuteAsync(TableClient table, string accountId, CancellationToken ct)
    {
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, UsageKeys.CallPrefix), maxPerPage: 1,
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

    private static SortedDictionary<DateTime, Dictionary<string, long>> Sum(
        IEnumerable<(DateTime At, IReadOnlyDictionary<string, long> ByRoute)> rows, Func<DateTime, DateTime> period)
    {
        var sums = new SortedDictionary<DateTime, Dictionary<string, long>>();
        foreach (var (at, byRoute) in rows)
        {
            var key = period(at);
            RouteCounts.AddInto(sums.TryGetValue(key, out var s) ? s : sums[key] = new(StringComparer.Ordinal), byRoute);
        }

        return sums;
    }

    private static TableEntity Row(string accountId, string rowKey, IReadOnlyDictionary<string, long> byRoute) =>
        new(accountId, rowKey) { ["ByRoute"] = RouteCounts.Format(byRoute), ["Calls"] = byRoute.Values.Sum() };
}
