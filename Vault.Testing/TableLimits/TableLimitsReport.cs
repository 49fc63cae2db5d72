namespace Vault.Testing.TableLimits;

/// <summary>
/// What the emulator saw: requests forwarded to storage, requests answered 503 ServerBusy instead, entities metered,
/// and the most entities one partition (and the account) served in one second since the start.
/// </summary>
public sealed record TableLimitsReport(
    long Forwarded, long Throttled, long Entities, PartitionId? PeakPartition, long PeakPartitionEntitiesPerSecond, long PeakAccountEntitiesPerSecond)
{
    public override string ToString() =>
        $"forwarded {Forwarded}, throttled {Throttled} (503 ServerBusy), entities {Entities}, " +
        $"peak {PeakPartitionEntitiesPerSecond} entities/s in one partition ({PeakPartition?.ToString() ?? "none"}), {PeakAccountEntitiesPerSecond} in the account";
}
