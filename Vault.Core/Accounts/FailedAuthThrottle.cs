using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Vault.Core.Accounts;

/// <summary>Settings of <see cref="FailedAuthThrottle"/> (section <c>Vault:AuthThrottle</c>).</summary>
public sealed class AuthThrottleOptions
{
    public const string Section = "Vault:AuthThrottle";

    /// <summary>Failed API-key, admin-key and run-token attempts one client address may make in a minute.</summary>
    public int FailuresPerMinute { get; set; } = 10;

    /// <summary>
    /// Take the client address from the first <c>X-Forwarded-For</c> hop. Only behind a front end that sets it (Azure's
    /// does); anywhere else a caller would choose its own address.
    /// </summary>
    public bool TrustForwardedFor { get; set; }
}

/// <summary>
/// Slows down guessing of API keys, the admin key and run tokens: each client address may fail a few times a minute;
/// past that, every call from it that needs a key is answered 429 before any storage look-up, until the minute turns.
/// Counted per instance in memory (a failed attempt costs no storage write, so guessing cannot be turned into load), in
/// fixed one-minute windows, bounded in the addresses it tracks.
/// </summary>
public sealed class FailedAuthThrottle(IOptions<AuthThrottleOptions> options, TimeProvider clock)
{
    private const int MaxTrackedAddresses = 100_000;
    private const string Overflow = "*";
    private readonly ConcurrentDictionary<string, Window> _failures = new(StringComparer.Ordinal);

    /// <summary>Seconds until the address may try again, or null when it may try now.</summary>
    public int? RetryAfter(string? address)
    {
        var now = clock.GetUtcNow();
        var minute = now.UtcTicks / TimeSpan.TicksPerMinute;
        var key = Key(address);
        var blocked = (_failures.TryGetValue(key, out var window) && window.Minute == minute && window.Count >= options.Value.FailuresPerMinute)
            || (_failures.TryGetValue(Overflow, out var overflow) && overflow.Minute == minute && overflow.Count >= options.Value.FailuresPerMinute * 100);
        return blocked ? (int)Math.Ceiling(((minute + 1) * TimeSpan.TicksPerMinute - now.UtcTicks) / (double)TimeSpan.TicksPerSecond) : null;
    }

    public void RecordFailure(string? address)
    {
        var minute = clock.GetUtcNow().UtcTicks / TimeSpan.TicksPerMinute;
        var key = Key(address);
        if (!_failures.ContainsKey(key) && _failures.Count >= MaxTrackedAddresses)
        {
            foreach (var (stale, window) in _failures)
            {
                if (window.Minute < minute)
                {
                    _failures.TryRemove(stale, out _);
                }
            }

            if (_failures.Count >= MaxTrackedAddresses)
            {
                key = Overflow; // a flood of fresh addresses shares one (larger) allowance instead of growing memory
            }
        }

        _failures.AddOrUpdate(key, _ => new Window(minute, 1), (_, w) => w.Minute == minute ? w with { Count = w.Count + 1 } : new Window(minute, 1));
    }

    /// <summary>The client address of a request: the first X-Forwarded-For hop when trusted, else the socket's.</summary>
    public string? ClientAddress(string? forwardedFor, string? socketAddress)
    {
        if (options.Value.TrustForwardedFor && !string.IsNullOrWhiteSpace(forwardedFor))
        {
            var first = forwardedFor.Split(',')[0].Trim();
            if (first.Length is > 0 and <= 100)
            {
                return first;
            }
        }

        return socketAddress;
    }

    private static string Key(string? address) => string.IsNullOrEmpty(address) ? "unknown" : address;

    private sealed record Window(long Minute, int Count);
}
