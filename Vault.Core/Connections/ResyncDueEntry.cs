using Azure;

namespace Vault.Core.Connections;

/// <summary>One connection's place in the due-time index: its slot partition, and the exact time it is due.</summary>
public sealed record ResyncDueEntry(string PartitionKey, string AccountId, string ConnectionId, DateTimeOffset DueAt)
{
    /// <summary>The entity's ETag when read; the timer removes an entry only if it has not been rewritten since.</summary>
    public ETag ETag { get; init; }
}
