using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>How one connection fared in a sync.</summary>
public sealed record ConnectionSyncOutcome(Connection Connection, SyncSummary Summary, ConnectionError? Error, TimeSpan? RetryAfter)
{
    public bool Synced => Error is null;

    /// <summary>The sync failed because the stored credentials no longer work: only a re-connect helps.</summary>
    public bool NeedsReconnect => Error is not null && Connection.Status == ConnectionStatus.ReconnectRequired;
}
