namespace Vault.Core.Connections.Sync;

/// <summary>A provider snapshot as applied to a connection: the connection as now stored, and what changed.</summary>
public sealed record AppliedSnapshot(Connection Connection, SyncResult Result);
