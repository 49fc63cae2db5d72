using System.Globalization;
using Azure.Data.Tables;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

public sealed record UsageDay(string Date, long Calls, IReadOnlyDictionary<string, long> ByRoute);

/// <summary>
/// Pay-per-call counters: one entity per account, day and route, incremented with <see cref="OptimisticUpdate"/>, so
/// concurrent calls are each counted once and none is lost.
/// </summary>
public sealed class Metering(Tables tables, TimeProvider clock)
{
    private const int MaxAttempts = 50;

    public async Task CountAsync(string accountId, string route, CancellationToken ct)
    {
        var table = await tables.UsageAsync(ct).ConfigureAwait(false);
        var day = clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var rowKey = day + "|" + TableKeys.Escape(route);
        await OptimisticUpdate.RunAsync(table, accountId, rowKey, stored =>
        {
            var calls = (stored?.GetInt64("Calls") ?? 0) + 1;
            return (new TableEntity(accountId, rowKey) { ["Route"] = route, ["Day"] = day, ["Calls"] = calls }, true);
        }, MaxAttempts, ct).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<UsageDay>> ReadAsync(string accountId, DateOnly from, DateOnly to, CancellationToken ct)
    {
        var table = await tables.UsageAsync(ct).ConfigureAwait(false);
        var low = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var high = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|\uffff";
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {accountId} and RowKey ge {low} and RowKey lt {high}");
        var days = new SortedDictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, select: ["Route", "Day", "Calls"], cancellationToken: ct).ConfigureAwait(false))
        {
            var routes = days.TryGetValue(entity.GetString("Day"), out var r) ? r : days[entity.GetString("Day")] = new(StringComparer.Ordinal);
            routes[entity.GetString("Route")] = entity.GetInt64("Calls") ?? 0;
        }

        return days.Select(d => new UsageDay(d.Key, d.Value.Values.Sum(), d.Value)).ToList();
    }
}
