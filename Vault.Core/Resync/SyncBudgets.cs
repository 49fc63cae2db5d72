using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;
using Vault.Core.Storage;

namespace Vault.Core.Resync;

/// <summary>One provider budget window: which limit a resync counts against, and when that window ends.</summary>
public sealed record SyncBudgetWindow(string Key, int Limit, DateTimeOffset Start, TimeSpan Length)
{
    public DateTimeOffset End => Start + Length;
}

/// <summary>
/// The share of each provider's request budget background resync may spend, counted across all instances in Table
/// Storage (a counter per budget and window, taken with <see cref="OptimisticUpdate"/>). Every budget belongs to one
/// tenant and one provider identity (Bitwarden: server and user; 1Password: the service account; Keeper: the
/// application, whose devices share its budget as they share Keeper's limits), never to a key a
/// tenant could choose: an identity is only ever compared within its own tenant, so one tenant's failing or hammering
/// connections spend nothing of another's. (The cost: two tenants connecting the same real account each get a budget;
/// the provider's own 429 then makes both wait.) A Bitwarden resync also takes from the service-wide budget of its host
/// per egress address (<see cref="EgressBudgets"/>, the provider's per-IP limits), after the tenant's, so a tenant whose
/// own budget is spent spends nothing of the shared one.
/// </summary>
public sealed class SyncBudgets(Tables tables, EgressBudgets egress, IOptions<ResyncOptions> options, TimeProvider clock)
{
    /// <summary>The provider host a budget counts for: the self-hosted server's authority, or "cloud".</summary>
    public static string ServerOf(Connection connection) =>
        connection.ServerUrl is { } url && Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority.ToLowerInvariant() : "cloud";

    /// <summary>The budget window a resync of <paramref name="connection"/> at <paramref name="now"/> counts against.</summary>
    public SyncBudgetWindow WindowFor(Connection connection, DateTimeOffset now)
    {
        var server = ServerOf(connection);
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var minute = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.Hour).AddMinutes(now.Minute), TimeSpan.Zero);
        var owner = $"{connection.AccountId}|{connection.IdentityHash}";
        return connection.Provider switch
        {
            "1password" => new($"1password|{server}|{owner}", options.Value.OnePasswordSyncsPerAccountPerDay, day, TimeSpan.FromDays(1)),
            "keeper" => new($"keeper|{server}|{connection.AccountId}|{connection.BudgetScope ?? connection.IdentityHash}",
                options.Value.KeeperSyncsPerApplicationPerMinute, minute, TimeSpan.FromMinutes(1)),
            var provider => new($"{provider}|{server}|{owner}", options.Value.BitwardenSyncsPerMinute, minute, TimeSpan.FromMinutes(1)),
        };
    }

    /// <summary>
    /// Takes one unit of the connection's tenant budget, then of its host's service-wide one; when either has none left,
    /// says when its next window opens.
    /// </summary>
    public async Task<DateTimeOffset?> TryTakeAsync(Connection connection, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        return await TryTakeTenantAsync(connection, now, ct).ConfigureAwait(false) ?? await egress.TryTakeAsync(connection, now, ct).ConfigureAwait(false);
    }

    private async Task<DateTimeOffset?> TryTakeTenantAsync(Connection connection, DateTimeOffset now, CancellationToken ct)
    {
        var window = WindowFor(connection, now);
        var table = await tables.BudgetsAsync(ct).ConfigureAwait(false);
        var rowKey = window.Start.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);
        try
        {
            return await OptimisticUpdate.RunAsync(table, window.Key, rowKey, stored =>
            {
                var used = stored?.GetInt32("Used") ?? 0;
                return used >= window.Limit
                    ? (null, window.End)
                    : (new TableEntity(window.Key, rowKey) { ["Used"] = used + 1 }, (DateTimeOffset?)null);
            }, maxAttempts: 20, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return now + TimeSpan.FromSeconds(5); // heavy contention: try again shortly rather than overspend
        }
    }
}
