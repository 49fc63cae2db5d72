using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Vault.Core.Connections;

namespace Vault.Core.Resync;

/// <summary>
/// A run that reads credentials of a connection synced longer ago than the resync interval asks for an early resync
/// of it (an <see cref="ResyncMessage.Early"/> message), so a site in use gets fresh credentials before its turn.
/// <list type="bullet">
/// <item>Off the response path: <see cref="NoteRead"/> starts the check (one point read of the connection row) and
/// returns at once; its failures are logged, never thrown.</item>
/// <item>At most once per connection per interval on an instance, without a shared row: an in-memory set remembers
/// until when each connection needs no look (fresh: until it turns stale; enqueued: one interval). Across instances
/// each may send one; the worker syncs the first and skips the rest (the sync lease, then "synced since"), and the
/// resync still takes the provider budgets.</item>
/// </list>
/// </summary>
public sealed class EarlyResync(ConnectionStore connections, ResyncQueue queue, ResyncSchedule schedule, TimeProvider clock, ILogger<EarlyResync> logger)
{
    /// <summary>Connections remembered per instance; past it, the expired ones are dropped (then all, if need be).</summary>
    private const int MaxRemembered = 100_000;
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan AfterFailure = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _quietUntil = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _pending = new();

    /// <summary>Never less than a minute, so an interval of zero (tests) does not turn every read into a message.</summary>
    private TimeSpan Quiet => schedule.Interval > TimeSpan.FromMinutes(1) ? schedule.Interval : TimeSpan.FromMinutes(1);

    /// <summary>The run read items of these connections: checks each not looked at lately, in the background.</summary>
    public void NoteRead(string accountId, IEnumerable<string> connectionIds)
    {
        var now = clock.GetUtcNow();
        foreach (var connectionId in connectionIds.Distinct(StringComparer.Ordinal))
        {
            var key = accountId + "|" + connectionId;
            if (!TryClaim(key, now))
            {
                continue;
            }

            var check = Task.Run(() => CheckAsync(accountId, connectionId, key));
            _pending.TryAdd(check, 0);
            _ = check.ContinueWith(done => _pending.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    /// <summary>Tests: completes when every check started so far has finished.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_pending.Keys);

    /// <summary>Whether this caller looks now (one of concurrent reads does; the rest see the claim).</summary>
    private bool TryClaim(string key, DateTimeOffset now)
    {
        var claim = now + CheckTimeout;
        if (_quietUntil.TryGetValue(key, out var until))
        {
            return now >= until && _quietUntil.TryUpdate(key, claim, until);
        }

        if (_quietUntil.Count >= MaxRemembered)
        {
            Prune(now);
        }

        return _quietUntil.TryAdd(key, claim);
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, until) in _quietUntil)
        {
            if (now >= until)
            {
                _quietUntil.TryRemove(new KeyValuePair<string, DateTimeOffset>(key, until));
            }
        }

        if (_quietUntil.Count >= MaxRemembered)
        {
            _quietUntil.Clear();
        }
    }

    private async Task CheckAsync(string accountId, string connectionId, string key)
    {
        using var cts = new CancellationTokenSource(CheckTimeout);
        try
        {
            var connection = await connections.GetAsync(accountId, connectionId, cts.Token).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            if (connection is null || connection.Status != ConnectionStatus.Active)
            {
                _quietUntil[key] = now + Quiet;
                return;
            }

            if (!schedule.IsStale(connection, now))
            {
                var staleAt = connection.RetryAt ?? (connection.LastSyncedAt ?? connection.CreatedAt) + schedule.Interval;
                _quietUntil[key] = staleAt > now ? staleAt : now + AfterFailure;
                return;
            }

            _quietUntil[key] = now + Quiet;
            await queue.SendAsync(new ResyncMessage(accountId, connectionId, Early: true), null, cts.Token).ConfigureAwait(false);
            logger.LogInformation("Early resync of {ConnectionId} enqueued: a run read its items, last synced {LastSyncedAt:o}", connectionId, connection.LastSyncedAt);
        }
        catch (Exception ex)
        {
            _quietUntil[key] = clock.GetUtcNow() + AfterFailure;
            logger.LogWarning("Early resync check of {ConnectionId} failed: {ErrorType}", connectionId, ex.GetType().Name);
        }
    }
}
