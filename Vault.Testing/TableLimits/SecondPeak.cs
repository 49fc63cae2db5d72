namespace Vault.Testing.TableLimits;

/// <summary>
/// The most entities served in one second (whole seconds since the emulator started): the peak rate a partition or
/// the account saw, which a benchmark compares with the limit. Not thread-safe (used under the meter's lock).
/// </summary>
internal sealed class SecondPeak
{
    private long _second = -1;
    private long _count;

    public long Peak { get; private set; }

    public void Add(long second, long entities)
    {
        if (second != _second)
        {
            _second = second;
            _count = 0;
        }

        _count += entities;
        Peak = Math.Max(Peak, _count);
    }
}
