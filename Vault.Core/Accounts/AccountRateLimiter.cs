using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Vault.Core.Accounts;

/// <summary>
/// The per-account call rate (<c>Vault__RateLimit__PerMinute</c>), a fixed one-minute window per account in this
/// instance. Returns the seconds to wait when the call is refused.
/// </summary>
public sealed class AccountRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public AccountRateLimiter(IOptions<VaultOptions> options)
    {
        var perMinute = Math.Max(1, options.Value.RateLimit.PerMinute);
        _limiter = PartitionedRateLimiter.Create<string, string>(accountId =>
            RateLimitPartition.GetFixedWindowLimiter(accountId, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Null when the call may proceed; otherwise the seconds the caller should wait.</summary>
    public int? TryAcquire(string accountId)
    {
        using var lease = _limiter.AttemptAcquire(accountId);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
    }

    public void Dispose() => _limiter.Dispose();
}
