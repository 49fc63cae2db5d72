using System.Collections.Concurrent;
using System.Diagnostics;

namespace Vault.Core.Accounts;

/// <summary>
/// Keeps a successful API-key look-up for <see cref="Lifetime"/>, so a busy key costs one storage read a second per
/// instance instead of one per call. Revocation stays immediate on every instance: an entry's life is counted from
/// before its read was sent, so no instance holds an entry read before a revocation for longer than
/// <see cref="Lifetime"/> after it, and <see cref="AccountService.RevokeKeyAsync"/> answers only after that long.
/// Only hits are kept (a key made a moment ago works at once everywhere). Time is the monotonic clock: this is a
/// mechanism, not business time.
/// </summary>
public sealed class ApiKeyCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (string AccountId, long ReadStarted)> _entries = new(StringComparer.Ordinal);

    public static long Now => Stopwatch.GetTimestamp();

    public string? Get(string keyHash)
    {
        if (_entries.TryGetValue(keyHash, out var entry))
        {
            if (Stopwatch.GetElapsedTime(entry.ReadStarted) < Lifetime)
            {
                return entry.AccountId;
            }

            _entries.TryRemove(new KeyValuePair<string, (string, long)>(keyHash, entry));
        }

        return null;
    }

    /// <param name="readStarted"><see cref="Now"/> taken before the storage read that found the key.</param>
    public void Put(string keyHash, string accountId, long readStarted)
    {
        if (_entries.Count >= MaxEntries)
        {
            foreach (var (hash, entry) in _entries)
            {
                if (Stopwatch.GetElapsedTime(entry.ReadStarted) >= Lifetime)
                {
                    _entries.TryRemove(new KeyValuePair<string, (string, long)>(hash, entry));
                }
            }
        }

        _entries[keyHash] = (accountId, readStarted);
    }

    public void Forget(string keyHash) => _entries.TryRemove(keyHash, out _);
}
