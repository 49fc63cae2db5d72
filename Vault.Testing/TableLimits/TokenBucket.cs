namespace Vault.Testing.TableLimits;

/// <summary>
/// Entities a partition or the account may still serve: refilled continuously at its rate, holding at most one
/// second's worth (the burst Azure tolerates before throttling). Taking may leave it in debt (a large batch, a query
/// counted after its answer), which later refills repay, so the long-run rate never exceeds the limit.
/// Not thread-safe: <see cref="EntityMeter"/> holds its lock around every use.
/// </summary>
internal sealed class TokenBucket(double ratePerSecond, long startTimestamp)
{
    private double _tokens = ratePerSecond;
    private long _last = startTimestamp;

    public double Capacity { get; } = ratePerSecond;

    public bool Holds(double entities, long now, TimeProvider time)
    {
        Refill(now, time);
        return _tokens >= Math.Min(entities, Capacity);
    }

    public void Take(double entities, long now, TimeProvider time)
    {
        Refill(now, time);
        _tokens -= entities;
    }

    private void Refill(long now, TimeProvider time)
    {
        if (now > _last)
        {
            _tokens = Math.Min(Capacity, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * Capacity);
            _last = now;
        }
    }
}
