using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

/// <summary>
/// The calls an account has been granted in the current one-minute window, shared by all instances: one entity per
/// account (rewritten when the window turns, so nothing accumulates), grown with optimistic concurrency (ETag).
/// </summary>
public sealed class RateWindowCounter(Tables tables)
{
    private const string RowKey = "calls-per-minute";
    private const int MaxAttempts = 20;

    /// <summary>Reserves up to <paramref name="wanted"/> calls of <paramref name="limit"/> in the window; returns how many it got (0: spent).</summary>
    public async Task<int> ReserveAsync(string accountId, long window, int wanted, int limit, CancellationToken ct)
    {
        var table = await tables.BudgetsAsync(ct).ConfigureAwait(false);
        var partitionKey = "rate|" + accountId;
        var windowText = window.ToString(CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, RowKey, cancellationToken: ct).ConfigureAwait(false);
            var used = existing.HasValue && existing.Value!.GetString("Window") == windowText ? existing.Value.GetInt32("Used") ?? 0 : 0;
            var granted = Math.Min(wanted, limit - used);
            if (granted <= 0)
            {
                return 0;
            }

            var entity = new TableEntity(partitionKey, RowKey) { ["Window"] = windowText, ["Used"] = used + granted };
            try
            {
                if (existing.HasValue)
                {
                    await table.UpdateEntityAsync(entity, existing.Value!.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                }
                else
                {
                    await table.AddEntityAsync(entity, ct).ConfigureAwait(false);
                }

                return granted;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance reserved meanwhile: read again, with a little jitter against lock-step.
                await Task.Delay(Random.Shared.Next(1, 5 + attempt), ct).ConfigureAwait(false);
            }
        }

        throw new TimeoutException("Could not reserve calls of the account's rate window under contention.");
    }
}
