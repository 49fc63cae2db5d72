using System.Globalization;
using Azure.Data.Tables;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

/// <summary>
/// The calls an account has been granted in the current one-minute window, shared by all instances: one entity per
/// account, rewritten when the window turns so nothing accumulates.
/// </summary>
public sealed class RateWindowCounter(Tables tables)
{
    private const string RowKey = "calls-per-minute";

    /// <summary>Reserves up to <paramref name="wanted"/> calls of <paramref name="limit"/> in the window; returns how many it got (0: spent).</summary>
    public async Task<int> ReserveAsync(string accountId, long window, int wanted, int limit, CancellationToken ct)
    {
        var table = await tables.BudgetsAsync(ct).ConfigureAwait(false);
        var partitionKey = "rate|" + accountId;
        var windowText = window.ToString(CultureInfo.InvariantCulture);
        return await OptimisticUpdate.RunAsync(table, partitionKey, RowKey, stored =>
        {
            var used = stored?.GetString("Window") == windowText ? stored.GetInt32("Used") ?? 0 : 0;
            var granted = Math.Min(wanted, limit - used);
            return granted <= 0
                ? (null, 0)
                : (new TableEntity(partitionKey, RowKey) { ["Window"] = windowText, ["Used"] = used + granted }, granted);
        }, maxAttempts: 20, ct).ConfigureAwait(false);
    }
}
