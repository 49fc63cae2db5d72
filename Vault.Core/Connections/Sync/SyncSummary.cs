using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>How a sync changed the cache.</summary>
public sealed record SyncSummary(int Added, int Updated, int Removed, int SkippedDisabled)
{
    public static readonly SyncSummary Empty = new(0, 0, 0, 0);

    public SyncSummary Plus(SyncSummary other) =>
        new(Added + other.Added, Updated + other.Updated, Removed + other.Removed, SkippedDisabled + other.SkippedDisabled);
}
