using System.Collections.Concurrent;
using System.Diagnostics;

namespace Vault.Core.Common;

/// <summary>
/// Values that may change (a revocation), remembered per instance for at most <see cref="Lifetime"/> counted from
/// before the read that found them: a change is seen everywhere no later than <see cref="Lifetime"/> after it was
/// written, so a writer that waits that long before answering knows every instance sees it. Bounded by a number of
/// entries; when full, expired entries go first, then everything. Time is the monotonic clock (a mechanism, not
/// business time).
/// </summary>
public sealed class FreshValues<TKey, TValue>(int capacity, TimeSpan lifetime)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, (TValue Value, long ReadStarted)> _entries = new();

    public TimeSpan Lifetime => lifetime;

    /// <summary>Take this before the read whose result is <see cref="Put"/>.</summary>
    public static long Now => Stopwatch.GetTimestamp();

    public bool TryGet(TKey key, out TValue value)
    {
        if (_entries.TryGetValue(key, out var entry))
        {
            if (Stopwatch.GetElapsedTime(entry.ReadStarted) < lifetime)
            {
                value = entry.Value;
                return true;
            }

            _entries.TryRemove(new KeyValuePair<TKey, (TValue, long)>(key, entry));
        }

        value = default!;
        return false;
    }

    public TValue Put(TKey key, TValue value, long readStarted)
    {
        if (_entries.Count >= capacity)
        {
            foreach (var (k, entry) in _entries)
            {
                if (Stopwatch.GetElapsedTime(entry.ReadStarted) >= lifetime)
                {
                    _entries.TryRemove(new KeyValuePair<TKey, (TValue, long)>(k, entry));
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[key] = (value, readStarted);
        return value;
    }

    public void Forget(TKey key) => _entries.TryRemove(key, out _);
}
