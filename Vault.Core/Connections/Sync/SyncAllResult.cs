using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>A sync of an account's connections: each one's outcome, the changes summed, and the account's items after it.</summary>
public sealed record SyncAllResult(IReadOnlyList<ConnectionSyncOutcome> Outcomes, SyncSummary Summary, IReadOnlyList<CachedItem> Items);
