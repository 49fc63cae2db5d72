using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;

namespace Vault.Core.Resync;

/// <summary>
/// When a connection is due: the interval stretched by a fixed per-connection jitter after its last sync, or after
/// failures its back-off (<see cref="Connection.RetryAt"/>). The one rule behind the due-time index, the worker's check
/// and the API's <c>nextSyncAt</c>, so the three always agree.
/// </summary>
public sealed class ResyncSchedule(IOptions<VaultOptions> vaultOptions, IOptions<ResyncOptions> options) : IResyncSchedule
{
    public DateTimeOffset? NextDueAt(Connection connection) =>
        connection.Status == ConnectionStatus.Active ? NextSyncAt(connection) : null;

    /// <summary>When background resync next tries the connection.</summary>
    public DateTimeOffset NextSyncAt(Connection connection) =>
        connection.RetryAt ?? (connection.LastSyncedAt ?? connection.CreatedAt) + DueAfter(connection.ConnectionId);

    public bool IsDue(string connectionId, DateTimeOffset lastSyncedAt, DateTimeOffset? retryAt, DateTimeOffset now) =>
        retryAt is { } retry ? now >= retry : now - lastSyncedAt >= DueAfter(connectionId);

    /// <summary>
    /// Stale for an early resync (a run read its items): synced longer ago than the interval itself, without the
    /// jitter, and not backing off after failures.
    /// </summary>
    public bool IsStale(Connection connection, DateTimeOffset now) =>
        connection.Status == ConnectionStatus.Active && (connection.RetryAt is { } retry
            ? now >= retry
            : now - (connection.LastSyncedAt ?? connection.CreatedAt) >= vaultOptions.Value.ResyncInterval);

    public TimeSpan Interval => vaultOptions.Value.ResyncInterval;

    public TimeSpan DueAfter(string connectionId) =>
        vaultOptions.Value.ResyncInterval * (1 + options.Value.JitterFraction * JitterOf(connectionId));

    /// <summary>A stable fraction in [0, 1) per connection, so its place in the spread does not move between timer runs.</summary>
    public static double JitterOf(string connectionId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(connectionId), hash);
        return (System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }
}
