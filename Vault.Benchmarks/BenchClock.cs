namespace Vault.Benchmarks;

/// <summary>A clock the benchmark sets, so a tick can be measured at a chosen moment of the schedule.</summary>
public sealed class BenchClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
