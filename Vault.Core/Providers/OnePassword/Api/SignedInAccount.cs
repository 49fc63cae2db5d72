using Microsoft.Extensions.Logging;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Token;

namespace Vault.Core.Providers.OnePassword.Api;

/// <summary>
/// One token's signed-in session and unlocked keys, kept for a short idle time so that a sync followed by a run's
/// secret reads (or several reads) do not each pay the 4 sign-in requests, keysets and vault requests again — the
/// way one SDK client keeps its session. Used under <see cref="Gate"/> only (a session is a sequence of numbered,
/// MAC'd requests).
/// </summary>
internal sealed class SignedInAccount
{
    private readonly Func<OnePasswordSession> _newSession;
    private readonly byte[] _masterUnlockKey;
    private int _retiredRequests;

    public SignedInAccount(Func<OnePasswordSession> newSession, ServiceAccountToken token)
    {
        _newSession = newSession;
        _masterUnlockKey = token.MasterUnlockKey;
        Session = newSession();
        Keychain = new Keychain(_masterUnlockKey);
    }

    public SemaphoreSlim Gate { get; } = new(1, 1);
    public OnePasswordSession Session { get; private set; }
    public Keychain Keychain { get; private set; }
    public bool SignedIn { get; set; }

    /// <summary>The user id of the last sign-in (sent again when a session is renewed, as the SDK does).</summary>
    public string? UserUuid { get; set; }
    public DateTimeOffset LastUsed { get; set; }

    /// <summary>Requests sent through this entry, across its sessions.</summary>
    public int TotalRequests => _retiredRequests + Session.RequestCount;

    /// <summary>Forgets the session and keys (after a failure, an expiry, or when caching is off).</summary>
    public void Reset()
    {
        _retiredRequests += Session.RequestCount;
        Keychain.Dispose();
        Session = _newSession();
        Keychain = new Keychain(_masterUnlockKey);
        SignedIn = false;
    }
}

/// <summary>The signed-in accounts by token (keyed by a hash of it, never the token itself).</summary>
internal sealed class SessionCache(TimeProvider clock, TimeSpan idleTime, ILogger logger)
{
    private readonly Dictionary<string, SignedInAccount> _entries = new(StringComparer.Ordinal);

    public TimeSpan IdleTime => idleTime;

    public SignedInAccount Acquire(string key, Func<SignedInAccount> create)
    {
        lock (_entries)
        {
            var now = clock.GetUtcNow();
            foreach (var (staleKey, stale) in _entries.Where(e => now - e.Value.LastUsed > idleTime + idleTime && e.Value.Gate.CurrentCount == 1).ToList())
            {
                _entries.Remove(staleKey);
                logger.LogDebug("1Password session cache dropped an idle session");
            }

            if (!_entries.TryGetValue(key, out var entry))
            {
                entry = create();
                entry.LastUsed = now;
                _entries[key] = entry;
            }

            return entry;
        }
    }
}
