using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

/// <summary>
/// The per-account call rate (<c>Vault__RateLimit__PerMinute</c>) across all instances: fixed one-minute windows
/// aligned to the clock, counted in <see cref="RateWindowCounter"/>. Each instance reserves calls from the shared count
/// in small blocks and spends them locally, so a busy account costs one storage write per block, not per call; the
/// price is that an instance's unspent block is lost when the window turns (at most a block per instance).
/// </summary>
public sealed class AccountRateLimiter(
    RateWindowCounter counter, IOptions<VaultOptions> options, TimeProvider clock, ILogger<AccountRateLimiter> logger)
{
    private const int MaxTrackedAccounts = 10_000;
    private readonly ConcurrentDictionary<string, Allowance> _allowances = new(StringComparer.Ordinal);
    private long _checkedWindow;

    private int Limit => Math.Max(1, options.Value.RateLimit.PerMinute);

    /// <summary>Reserved per storage write: a twentieth of the limit, so blocks held by idle instances waste little.</summary>
    private int BlockSize => Math.Clamp(Limit / 20, 1, 50);

    /// <summary>Null when the call may proceed; otherwise the seconds until the account's window turns.</summary>
    public async Task<int?> TryAcquireAsync(string accountId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var window = now.UtcTicks / TimeSpan.TicksPerMinute;
        var allowance = AllowanceOf(accountId, window);
        if (allowance.TryTake(window) is { } local)
        {
            return local ? null : SecondsLeft(now);
        }

        await allowance.Reserving.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            // Another call of this instance may have refilled while this one waited.
            if (allowance.TryTake(window) is { } refilled)
            {
                return refilled ? null : SecondsLeft(now);
            }

            int granted;
            try
            {
                granted = await counter.ReserveAsync(accountId, window, BlockSize, Limit, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
            {
                // Fails closed: a limit that opens whenever its storage is slow is no limit for a tenant who can make it
                // slow. The caller gets 503 VAULT_UNAVAILABLE (not billed) and retries.
                logger.LogWarning("Rate window of an account could not be read ({ErrorType}); the call is refused with 503", ex.GetType().Name);
                throw;
            }

            allowance.Grant(window, granted, spent: granted < BlockSize);
            return granted > 0 ? null : SecondsLeft(now);
        }
        finally
        {
            allowance.Reserving.Release();
        }
    }

    private Allowance AllowanceOf(string accountId, long window)
    {
        // Once a window (not per call: Count locks the whole dictionary), forget accounts idle since an earlier one.
        var checkedWindow = Interlocked.Read(ref _checkedWindow);
        if (checkedWindow < window && Interlocked.CompareExchange(ref _checkedWindow, window, checkedWindow) == checkedWindow
            && _allowances.Count > MaxTrackedAccounts)
        {
            foreach (var (id, stale) in _allowances)
            {
                if (stale.IsBefore(window))
                {
                    _allowances.TryRemove(id, out _);
                }
            }
        }

        return _allowances.GetOrAdd(accountId, _ => new Allowance());
    }

    private static int SecondsLeft(DateTimeOffset now)
    {
        var intoWindow = now.UtcTicks % TimeSpan.TicksPerMinute;
        return Math.Max(1, (int)Math.Ceiling((TimeSpan.TicksPerMinute - intoWindow) / (double)TimeSpan.TicksPerSecond));
    }

    /// <summary>The calls this instance holds for one account in one window.</summary>
    private sealed class Allowance
    {
        private readonly Lock _gate = new();
        private long _window = -1;
        private int _left;
        private bool _spent;

        public SemaphoreSlim Reserving { get; } = new(1, 1);

        /// <summary>True: a call taken; false: the shared window is spent; null: a block must be reserved first.</summary>
        public bool? TryTake(long window)
        {
            lock (_gate)
            {
                if (_window != window)
                {
                    return null;
                }

                if (_left > 0)
                {
                    _left--;
                    return true;
                }

                return _spent ? false : null;
            }
        }

        public void Grant(long window, int granted, bool spent)
        {
            lock (_gate)
            {
                _window = window;
                _left = Math.Max(0, granted - 1); // one of them is the call that asked
                _spent = spent;
            }
        }

        public bool IsBefore(long window)
        {
            lock (_gate)
            {
                return _window < window;
            }
        }
    }
}
