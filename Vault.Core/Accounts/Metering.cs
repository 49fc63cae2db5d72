using Azure.Data.Tables;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

public sealed record UsageDay(string Date, long Calls, IReadOnlyDictionary<string, long> ByRoute);

/// <summary>
/// Pay-per-call metering with no hot entity.
/// <para>
/// Guarantee: a billable call is counted exactly once. Before the call is answered, a row keyed by the call's request
/// id (80 random bits) is inserted under the account, in one entity-group transaction with this instance's counter row
/// of that minute (<see cref="CallLedger"/>: a call row exists exactly when it is counted). Concurrent calls of an
/// instance share one transaction and no two instances write the same row, so calls do not contend (no shared counter,
/// no retry storm). A retry of our own write, by the SDK or by us, finds its call row already there (409): the first
/// try landed and counted it, so it is counted once. Counting happens before the answer is sent, so a restart cannot
/// fall between answering and counting; a call that cannot be recorded within <see cref="WriteBudget"/> is answered
/// 503 (not billable) and its row, if it landed late, is removed with its count. <see cref="UsageRollup"/> later folds
/// sealed minutes' counters into minute, hour and day rows and moves the account's watermark; a read takes rollups
/// below the watermark and counter rows above it, so each call is read once and a read never touches call rows.
/// </para>
/// </summary>
public sealed class Metering(Tables tables, CallLedger ledger, UsageRollup rollup, TimeProvider clock)
{
    /// <summary>How long a call may take to be counted; well inside <see cref="UsageRollup.Grace"/>.</summary>
    public static readonly TimeSpan WriteBudget = TimeSpan.FromSeconds(20);

    /// <summary>Records one billable call. Throws when it could not be recorded (the call must then not be billed).</summary>
    public async Task CountAsync(string accountId, string route, string requestId, CancellationToken ct)
    {
        var minute = UsageKeys.FloorMinute(clock.GetUtcNow().UtcDateTime);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(WriteBudget);
        var table = await tables.UsageAsync(budget.Token).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ledger.RecordAsync(table, accountId, minute, requestId, route, budget.Token).ConfigureAwait(false);
                    break;
                }
                catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex) && attempt < 4 && !budget.IsCancellationRequested)
                {
                    // A back-off inside a real-time budget: a mechanism, not business time, so not the TimeProvider's.
                    await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), budget.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Not counted, so not billable: make sure a try that landed after we gave up does not count it either.
            try
            {
                await ledger.RemoveAsync(table, accountId, minute, requestId, route, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
            }

            throw;
        }

        rollup.MarkPending(accountId, minute);
    }

    /// <summary>The account's billable calls per UTC day in [from, to], days without calls left out.</summary>
    public async Task<IReadOnlyList<UsageDay>> ReadAsync(string accountId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var table = await tables.UsageAsync(ct).ConfigureAwait(false);
        var watermark = await rollup.CurrentWatermarkAsync(accountId, ct).ConfigureAwait(false);
        var start = from.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var end = to.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var w = watermark ?? DateTime.MinValue;

        // Below the watermark: whole days as day rows, then the watermark's day as hour rows up to its hour, then that
        // hour as minute rows up to the watermark. From the watermark on: the instances' counter rows.
        var parts = new[]
        {
            ReadRollupsAsync(table, accountId, UsageKeys.DayPrefix, start, Min(end, w.Date), ct),
            ReadRollupsAsync(table, accountId, UsageKeys.HourPrefix, Max(start, w.Date), Min(end, UsageKeys.FloorHour(w)), ct),
            ReadRollupsAsync(table, accountId, UsageKeys.MinutePrefix, Max(start, UsageKeys.FloorHour(w)), Min(end, w), ct),
            ReadCountersAsync(table, accountId, Max(start, w), end, ct),
        };
        var days = new SortedDictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        foreach (var part in await Task.WhenAll(parts).ConfigureAwait(false))
        {
            foreach (var (day, byRoute) in part)
            {
                var into = days.TryGetValue(day, out var existing) ? existing : days[day] = new(StringComparer.Ordinal);
                RouteCounts.AddInto(into, byRoute);
            }
        }

        return days.Where(d => d.Value.Values.Sum() > 0)
            .Select(d => new UsageDay(FormatDay(d.Key), d.Value.Values.Sum(), d.Value)).ToList();
    }

    private static async Task<List<(string Day, IReadOnlyDictionary<string, long> ByRoute)>> ReadRollupsAsync(
        TableClient table, string accountId, string prefix, DateTime from, DateTime to, CancellationToken ct)
    {
        var result = new List<(string, IReadOnlyDictionary<string, long>)>();
        if (from >= to)
        {
            return result;
        }

        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {accountId} and RowKey ge {UsageKeys.Key(prefix, from)} and RowKey lt {UsageKeys.Key(prefix, to)}");
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "ByRoute"], cancellationToken: ct).ConfigureAwait(false))
        {
            result.Add((entity.RowKey.Substring(prefix.Length, 8), RouteCounts.Parse(entity.GetString("ByRoute"))));
        }

        return result;
    }

    private static async Task<List<(string Day, IReadOnlyDictionary<string, long> ByRoute)>> ReadCountersAsync(
        TableClient table, string accountId, DateTime from, DateTime to, CancellationToken ct)
    {
        var byDay = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        if (from < to)
        {
            var filter = TableClient.CreateQueryFilter(
                $"PartitionKey eq {accountId} and RowKey ge {UsageKeys.Key(UsageKeys.ShardPrefix, from)} and RowKey lt {UsageKeys.Key(UsageKeys.ShardPrefix, to)}");
            await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey", "ByRoute"], cancellationToken: ct).ConfigureAwait(false))
            {
                var day = entity.RowKey.Substring(UsageKeys.ShardPrefix.Length, 8);
                RouteCounts.AddInto(byDay.TryGetValue(day, out var r) ? r : byDay[day] = new(StringComparer.Ordinal), RouteCounts.Parse(entity.GetString("ByRoute")));
            }
        }

        return byDay.Select(d => (d.Key, (IReadOnlyDictionary<string, long>)d.Value)).ToList();
    }

    private static string FormatDay(string digits) => $"{digits[..4]}-{digits[4..6]}-{digits[6..8]}";

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;
}

/// <summary>Calls per route as stored in a rollup row (a small JSON object).</summary>
internal static class RouteCounts
{
    public static IReadOnlyDictionary<string, long> Parse(string? json) =>
        string.IsNullOrEmpty(json) ? new Dictionary<string, long>() :
        System.Text.Json.JsonSerializer.Deserialize(json, AccountJson.Default.DictionaryStringInt64) ?? new Dictionary<string, long>();

    public static string Format(IReadOnlyDictionary<string, long> counts) =>
        System.Text.Json.JsonSerializer.Serialize(counts.ToDictionary(StringComparer.Ordinal), AccountJson.Default.DictionaryStringInt64);

    public static void AddInto(Dictionary<string, long> into, IReadOnlyDictionary<string, long> counts)
    {
        foreach (var (route, calls) in counts)
        {
            into[route] = into.GetValueOrDefault(route) + calls;
        }
    }
}
