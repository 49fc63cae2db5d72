using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;
using Vault.Core.Storage;

namespace Vault.Core.Resync;

/// <summary>
/// The service-wide resync budget per provider host, taken after the tenant's own (<see cref="SyncBudgets"/>): the
/// provider limits requests per client IP, and every tenant's resyncs leave from the deployment's few egress addresses.
/// <para>
/// The figures, from bitwarden/server's own rate-limit settings (<c>IpRateLimitOptions.GeneralRules</c>, per client IP,
/// behind Cloudflare's <c>CF-Connecting-IP</c>): <c>src/Identity/appsettings.json</c> allows
/// <c>post:/connect/token</c> 10 a minute (and <c>*</c> 60 a minute, 5 a second); <c>src/Api/appsettings.json</c>
/// allows <c>get:*</c> 200 a minute. A resync asks <c>GET /api/accounts/revision-date</c> and, when the vault moved,
/// <c>GET /api/sync</c> (api: 200 / 2 = 100 resyncs a minute), and logs in again whenever its access token (1 hour) has
/// expired, which at a 6-hour interval is every time (identity: 10 a minute). The token endpoint binds: 10 resyncs a
/// minute per egress address, of which <see cref="ResyncOptions.BitwardenSyncsPerMinutePerEgressAddress"/> (8) leaves
/// a fifth to connects and runs' live reads, and to a NAT gateway spreading flows over its addresses unevenly.
/// Self-hosted servers run the same code and settings, so each self-hosted host gets the same budget of its own. The
/// cloud's US and EU hosts share one budget (the connection row does not say which region), which errs low.
/// </para>
/// <para>
/// 1Password publishes no per-IP limit: its limits are per service account token (reads an hour: 1,000, Business
/// 10,000) and per 1Password account (requests a day: 1,000 Families, 5,000 Teams, 50,000 Business), so they bind per
/// tenant and stay in the tenant's budgets (<see cref="SyncBudgets"/>, <c>Vault__OnePassword__ReadsPerHour</c>).
/// </para>
/// Counted across instances in the budgets table without a hot row: one counter row per egress address and minute
/// (partition <c>egress|provider|host|n</c>), each holding that address's share; a resync takes from a random one
/// and moves on to the others when it is full, so contention is spread over as many rows as there are addresses.
/// </summary>
public sealed class EgressBudgets(Tables tables, IOptions<ResyncOptions> options)
{
    /// <summary>The service-wide budget a resync of <paramref name="connection"/> counts against; null when there is none (1Password).</summary>
    public SyncBudgetWindow? WindowFor(Connection connection, DateTimeOffset now)
    {
        if (connection.Provider is "1password" or "keeper") // limits per token or client id, not per address
        {
            return null;
        }

        var host = SyncBudgets.ServerOf(connection);
        var minute = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.Hour).AddMinutes(now.Minute), TimeSpan.Zero);
        return new SyncBudgetWindow($"egress|{connection.Provider}|{host}", options.Value.BitwardenSyncsPerMinutePerEgressAddress * options.Value.EgressAddresses,
            minute, TimeSpan.FromMinutes(1));
    }

    /// <summary>Takes one unit of the provider host's budget; when every address's share is spent, says when the next window opens.</summary>
    public async Task<DateTimeOffset?> TryTakeAsync(Connection connection, DateTimeOffset now, CancellationToken ct)
    {
        if (WindowFor(connection, now) is not { } window)
        {
            return null;
        }

        var addresses = options.Value.EgressAddresses;
        var share = options.Value.BitwardenSyncsPerMinutePerEgressAddress;
        var table = await tables.BudgetsAsync(ct).ConfigureAwait(false);
        var rowKey = window.Start.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
        var first = Random.Shared.Next(addresses);
        for (var i = 0; i < addresses; i++)
        {
            var partition = $"{window.Key}|{(first + i) % addresses:D3}";
            try
            {
                var taken = await OptimisticUpdate.RunAsync(table, partition, rowKey, stored =>
                {
                    var used = stored?.GetInt32("Used") ?? 0;
                    return used >= share
                        ? (null, false)
                        : (new TableEntity(partition, rowKey) { ["Used"] = used + 1 }, true);
                }, maxAttempts: 5, ct).ConfigureAwait(false);
                if (taken)
                {
                    return null;
                }
            }
            catch (TimeoutException)
            {
                // busy: try the next address's row
            }
        }

        return window.End;
    }
}
