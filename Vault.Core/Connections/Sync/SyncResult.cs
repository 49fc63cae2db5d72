using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>What a sync made of a connection's items: the changes, the items it now has (in list order), and their vaults.</summary>
public sealed record SyncResult(SyncSummary Summary, IReadOnlyList<CachedItem> Items, IReadOnlyList<string> Vaults)
{
    public int ItemCount => Items.Count;
}
