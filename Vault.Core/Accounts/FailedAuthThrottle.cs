using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Vault.Core.Common;

namespace Vault.Core.Accounts;

/// <summary>Settings of <see cref="FailedAuthThrottle"/> (section <c>Vault:AuthThrottle</c>).</summary>
public sealed class AuthThrottleOptions
{
    public const string Section = "Vault:AuthThrottle";

    /// <summary>Failed API-key, admin-key and run-token attempts one client address may make in a minute.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Vault__AuthThrottle__FailuresPerMinute must be at least 1.")]
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
    private readonly AddressWindows _failures = new(clock);

    /// <summary>Seconds until the address may try again, or null when it may try now.</summary>
    public int? RetryAfter(string? address) => _failures.RetryAfter(address, options.Value.FailuresPerMinute);

    public void RecordFailure(string? address) => _failures.Record(address);

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
}
