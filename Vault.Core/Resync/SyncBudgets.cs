using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;
using Vault.Core.Storage;

namespace Vault.Core.Resync;

/// <summary>
/// The share of each provider's request budget background resync may spend, counted across all instances in Table
/// Storage (a counter per budget key and window, incremented with ETags). Bitwarden: syncs per minute for the whole
/// service (its identity service limits token requests per client IP). 1Password: syncs per connection per day.
/// </summary>
public sealed class SyncBudgets(Tables tables, IOptions<ResyncOptions> options, TimeProvider clock)
{
    /// <summary>Takes one unit of the connection's budget; when none is left, says when the next window opens.</summary>
    public async Task<DateTimeOffset?> TryTakeAsync(Connection connection, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var (key, limit, windowStart, windowLength) = connection.Provider switch
        {
            "1password" => ($"1password|{connection.ConnectionId}", options.Value.OnePasswordSyncsPerConnectionPerDay,
                new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero), TimeSpan.FromDays(1)),
            var provider => ($"{provider}|all", options.Value.BitwardenSyncsPerMinute,
                new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.Hour).AddMinutes(now.Minute), TimeSpan.Zero), TimeSpan.FromMinutes(1)),
        };

        var table = await tables.BudgetsAsync(ct).ConfigureAwait(false);
        var rowKey = windowStart.UtcTicks.ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        for (var attempt = 0; attempt < 20; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(key, rowKey, cancellationToken: ct).ConfigureAwait(false);
            var used = current.HasValue ? current.Value!.GetInt32("Used") ?? 0 : 0;
            if (used >= limit)
            {
                return windowStart + windowLength;
            }

            try
            {
                if (current.HasValue)
                {
                    current.Value!["Used"] = used + 1;
                    await table.UpdateEntityAsync(current.Value, current.Value.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                }
                else
                {
                    await table.AddEntityAsync(new TableEntity(key, rowKey) { ["Used"] = 1 }, ct).ConfigureAwait(false);
                }

                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance took a unit meanwhile; read again.
            }
        }

        return now + TimeSpan.FromSeconds(5);
    }
}
