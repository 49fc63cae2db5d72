using Microsoft.Extensions.Logging;
using Vault.Core.Connections;

namespace Vault.Core.Resync;

/// <summary>
/// What the timer does: enqueues one message per connection whose entry in the due-time index
/// (<see cref="ResyncDueIndex"/>) is due, and removes the entry once its message is sent. It reads the index, never the
/// connections, so a tick costs the due connections (plus 16 range queries), not all of them; and it keeps no cursor:
/// slots already processed are empty, so a failed tick loses nothing and the next one picks up what it left. It never
/// syncs: the queue spreads that work over instances. Until the one-time backfill (<see cref="ResyncBackfill"/>) has
/// gone through the connection rows written before the index, each tick also takes a bounded step of it.
/// <para>
/// Queue throughput: one Storage queue takes about 2,000 messages a second. At 1M connections and a 6-hour interval a
/// 15-minute tick enqueues ~42,000 (sent 16 at a time, one stream per shard), ~46 a second on average: one queue binds only past ~40M
/// connections, and the provider budgets (<see cref="SyncBudgets"/>) bind long before.
/// </para>
/// </summary>
public sealed class ResyncPlanner(
    ResyncDueIndex dueIndex, ResyncBackfill backfill, ResyncQueue queue, ResyncSchedule schedule, TimeProvider clock, ILogger<ResyncPlanner> logger)
{
    public async Task<int> EnqueueDueAsync(CancellationToken ct)
    {
        await backfill.StepAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var enqueued = 0;
        // The shards at once, each read and sent in order: 16 queries in flight, 16 sends at a time.
        await Parallel.ForEachAsync(Enumerable.Range(0, ResyncDueIndex.Shards), new ParallelOptions { MaxDegreeOfParallelism = ResyncDueIndex.Shards, CancellationToken = ct },
            async (shard, token) =>
            {
                await foreach (var entry in dueIndex.ListDueAsync(shard, now, token).ConfigureAwait(false))
                {
                    // Sent before the entry goes: a crash in between repeats the message (the worker skips a connection
                    // synced meanwhile), it never loses it.
                    await queue.SendAsync(new ResyncMessage(entry.AccountId, entry.ConnectionId), null, token).ConfigureAwait(false);
                    await dueIndex.RemoveIfUnchangedAsync(entry, token).ConfigureAwait(false);
                    Interlocked.Increment(ref enqueued);
                }
            }).ConfigureAwait(false);
        logger.LogInformation("Resync timer enqueued {Count} due connections", enqueued);
        return enqueued;
    }

    /// <inheritdoc cref="ResyncSchedule.IsDue"/>
    public bool IsDue(string connectionId, DateTimeOffset lastSyncedAt, DateTimeOffset? retryAt, DateTimeOffset now) =>
        schedule.IsDue(connectionId, lastSyncedAt, retryAt, now);

    /// <inheritdoc cref="ResyncSchedule.NextSyncAt"/>
    public DateTimeOffset NextSyncAt(Connection connection) => schedule.NextSyncAt(connection);

    public TimeSpan DueAfter(string connectionId) => schedule.DueAfter(connectionId);

    /// <inheritdoc cref="ResyncSchedule.JitterOf"/>
    public static double JitterOf(string connectionId) => ResyncSchedule.JitterOf(connectionId);
}
