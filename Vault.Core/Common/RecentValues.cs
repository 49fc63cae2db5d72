using System.Collections.Concurrent;

namespace Vault.Core.Common;

/// <summary>
/// Values that never change once stored, remembered in memory up to a number of entries; when full it starts over
/// (cheap, and a miss only costs the read it saves).
/// </summary>
public sealed class RecentValues<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _values = new();

    public bool TryGet(TKey key, out TValue value) => _values.TryGetValue(key, out value!);

    public TValue Put(TKey key, TValue value)
    {
        if (_values.Count >= capacity)
        {
            _values.Clear();
        }

        _values[key] = value;
        return value;
    }
}
