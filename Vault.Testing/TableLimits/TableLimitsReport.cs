namespace Vault.Testing.TableLimits;

/// <summary>
/// What the emulator saw: requests forwarded to storage, requests answered 503 ServerBusy instead, entities metered,
/// and the most entities one partition (and the account) served in one second since the start. A peak may exceed the
/// limit, to about twice it: a bucket holds one second of burst, refills during the second that spends it, and a
/// query admitted on its last tokens is charged its whole page afterwards (Azure's targets are rates, not a hard cap
/// per clock second; the long-run rate stays at the limit).
/// </summary>
public sealed record TableLimitsReport(
    long Forwarded, long Throttled, long Entities, PartitionId? PeakPartition, long PeakPartitionEntitiesPerSecond, long PeakAccountEntitiesPerSecond)
{
    public override string ToString() =>
        $"forwarded {Forwarded}, throttled {Throttled} (503 ServerBusy), entities {Entities}, " +
        $"peak {PeakPartitionEntitiesPerSecond} entities/s in one partition ({PeakPartition?.ToString() ?? "none"}), {PeakAccountEntitiesPerSecond} in the account";
}
