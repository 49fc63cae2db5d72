using System.Collections.Concurrent;

namespace Vault.Core.Common;

/// <summary>
/// Counts events per client address in fixed one-minute windows, in memory per instance, bounded in the addresses it
/// tracks (a flood of fresh addresses shares one overflow entry with a hundred times the allowance).
/// </summary>
public sealed class AddressWindows(TimeProvider clock)
{
    private const int MaxTrackedAddresses = 100_000;
    private const string Overflow = "*";
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Seconds until the address may act again, or null when it is under <paramref name="perMinute"/> this minute.</summary>
    public int? RetryAfter(string? address, int perMinute)
    {
        var now = clock.GetUtcNow();
        var minute = now.UtcTicks / TimeSpan.TicksPerMinute;
        var over = (_windows.TryGetValue(Key(address), out var window) && window.Minute == minute && window.Count >= perMinute)
            || (_windows.TryGetValue(Overflow, out var overflow) && overflow.Minute == minute && overflow.Count >= perMinute * 100);
        return over ? (int)Math.Ceiling(((minute + 1) * TimeSpan.TicksPerMinute - now.UtcTicks) / (double)TimeSpan.TicksPerSecond) : null;
    }

    public void Record(string? address)
    {
        var minute = clock.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute;
        var key = Key(address);
        if (!_windows.ContainsKey(key) && _windows.Count >= MaxTrackedAddresses)
        {
            foreach (var (stale, window) in _windows)
            {
                if (window.Minute < minute)
                {
                    _windows.TryRemove(stale, out _);
                }
            }

            if (_windows.Count >= MaxTrackedAddresses)
            {
                key = Overflow;
            }
        }

        _windows.AddOrUpdate(key, _ => new Window(minute, 1), (_, w) => w.Minute == minute ? w with { Count = w.Count + 1 } : new Window(minute, 1));
    }

    private static string Key(string? address) => string.IsNullOrEmpty(address) ? "unknown" : address;

    private sealed record Window(long Minute, int Count);
}
