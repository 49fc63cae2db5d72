using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>What a sync made of a connection's items: the changes, how many items it now has, and in which vaults.</summary>
public sealed record SyncResult(SyncSummary Summary, int ItemCount, IReadOnlyList<string> Vaults);
