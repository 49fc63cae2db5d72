using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;

namespace Vault.Core.Resync;

/// <summary>
/// What the timer does: finds the active connections that are due and enqueues one message each. It never syncs:
/// the queue spreads that work over instances.
/// </summary>
public sealed class ResyncPlanner(
    ConnectionStore connections, ResyncQueue queue, IOptions<VaultOptions> vaultOptions, IOptions<ResyncOptions> options, TimeProvider clock, ILogger<ResyncPlanner> logger)
{
    private const int SendConcurrency = 16;

    public async Task<int> EnqueueDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var due = new List<ResyncMessage>();
        await foreach (var connection in connections.ListActiveAsync(ct).ConfigureAwait(false))
        {
            if (IsDue(connection.ConnectionId, connection.LastSyncedAt, connection.RetryAt, now))
            {
                due.Add(new ResyncMessage(connection.AccountId, connection.ConnectionId));
            }
        }

        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = SendConcurrency, CancellationToken = ct },
            async (message, token) => await queue.SendAsync(message, null, token).ConfigureAwait(false)).ConfigureAwait(false);
        logger.LogInformation("Resync timer enqueued {Count} due connections", due.Count);
        return due.Count;
    }

    /// <summary>
    /// Due once the interval, stretched by the connection's fixed jitter, has passed since its last sync; after failures,
    /// once its backoff (<see cref="Connection.RetryAt"/>) has passed.
    /// </summary>
    public bool IsDue(string connectionId, DateTimeOffset lastSyncedAt, DateTimeOffset? retryAt, DateTimeOffset now) =>
        retryAt is { } retry ? now >= retry : now - lastSyncedAt >= DueAfter(connectionId);

    /// <summary>When background resync next tries the connection.</summary>
    public DateTimeOffset NextSyncAt(Connection connection) =>
        connection.RetryAt ?? (connection.LastSyncedAt ?? connection.CreatedAt) + DueAfter(connection.ConnectionId);

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
