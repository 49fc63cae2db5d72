using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Vault.Core.Providers.OnePassword;

/// <summary>What <see cref="ReadBudget.TakeAsync"/> granted, and when more can be had if it granted less than asked.</summary>
public sealed record ReadGrant(int Granted, DateTimeOffset? NextAt);

/// <summary>
/// The requests this service may send to 1Password per service account and clock hour
/// (<see cref="OnePasswordOptions.ReadsPerHour"/>), counted across all instances in an <see cref="IProviderBudgetStore"/>: one record per service
/// account (key <c>1password-reads|</c> + a hash of its identity), changed by compare-and-swap, holding the current
/// hour's count and how long a 429 told us to wait. Only requests to 1Password touch it, never a read of the cache.
/// </summary>
public sealed class ReadBudget(IProviderBudgetStore store, IOptions<OnePasswordOptions> options, TimeProvider clock)
{
    /// <summary>The hourly limit in force.</summary>
    public int PerHour => Math.Max(1, options.Value.ReadsPerHour);

    /// <summary>The part of the hour that syncs leave to runs' live reads (at most half the hour).</summary>
    public int KeptForRuns => Math.Clamp(options.Value.ReadsKeptForRuns, 0, PerHour / 2);

    /// <summary>The budget key of a service account: not its e-mail, a hash of its identity.</summary>
    public static string KeyOf(string identity) =>
        "1password-reads|" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..32];

    /// <summary>
    /// Records <paramref name="spent"/> requests already sent beyond what was taken (negative: gives back unused ones), then
    /// grants up to <paramref name="wanted"/> more while leaving <paramref name="keep"/> of the hour unspent. Grants
    /// nothing while a 429's wait lasts; <paramref name="blockUntil"/> starts or extends such a wait.
    /// </summary>
    /// <summary>True when <paramref name="ex"/> is the budget's store failing.</summary>
    public bool IsStoreFailure(Exception ex) => store.IsStoreFailure(ex);

    public async Task<ReadGrant> TakeAsync(string key, int spent, int wanted, int keep, DateTimeOffset? blockUntil, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var hour = new DateTimeOffset(now.UtcDateTime.Date.AddHours(now.Hour), TimeSpan.Zero);
        var window = hour.UtcTicks.ToString(CultureInfo.InvariantCulture);
        return await store.UpdateAsync(key, stored =>
        {
            var used = stored?.Window == window ? stored.Used : 0;
            var wasBlocked = stored?.BlockedUntil is { } until && until > now ? until : (DateTimeOffset?)null;
            var blocked = blockUntil > now && (wasBlocked is null || blockUntil > wasBlocked) ? blockUntil : wasBlocked;
            used = Math.Max(0, used + spent);
            var granted = blocked is null ? Math.Clamp(PerHour - keep - used, 0, wanted) : 0;
            used += granted;
            var next = granted < wanted ? blocked ?? hour.AddHours(1) : (DateTimeOffset?)null;
            var write = spent == 0 && granted == 0 && blocked == wasBlocked
                ? null
                : new ProviderBudgetState(window, used, blocked);
            return (write, new ReadGrant(granted, next));
        }, ct).ConfigureAwait(false);
    }
}

/// <summary>
/// One provider operation's account with the <see cref="ReadBudget"/>: takes before sending, and at the end records what
/// was really sent (giving back what a failure left unused) and any 429 wait.
/// </summary>
internal sealed class OperationBudget(ReadBudget budget, string key, Func<int> requestsSent)
{
    private int _accounted;

    /// <summary>Requests this operation has sent so far.</summary>
    public int Sent => requestsSent();

    /// <summary>Takes up to <paramref name="wanted"/> requests, also recording those sent since the last call.</summary>
    public async Task<ReadGrant> TakeAsync(int wanted, int keep, CancellationToken ct)
    {
        var spent = Math.Max(0, requestsSent() - _accounted);
        var grant = await budget.TakeAsync(key, spent, wanted, keep, null, ct).ConfigureAwait(false);
        _accounted += spent + grant.Granted;
        return grant;
    }

    /// <summary>Set after a 429: nothing is sent for this service account before then.</summary>
    public DateTimeOffset? BlockUntil { get; set; }

    /// <summary>Records what was sent in the end (and gives back what was taken but not sent) and <see cref="BlockUntil"/>.</summary>
    public async Task CloseAsync()
    {
        var spent = requestsSent() - _accounted;
        if (spent != 0 || BlockUntil is not null)
        {
            // Not cancellable: the requests were sent whatever the caller does now.
            await budget.TakeAsync(key, spent, 0, 0, BlockUntil, CancellationToken.None).ConfigureAwait(false);
            _accounted += spent;
        }
    }
}
