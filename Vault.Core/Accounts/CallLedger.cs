using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;

namespace Vault.Core.Accounts;

/// <summary>
/// The write side of metering. Each billable call inserts its call row (keyed by its request id) and, in the same
/// entity-group transaction, adds itself to this instance's counter row of that minute (<see cref="UsageKeys.Shard"/>).
/// <para>
/// Invariant: a call row exists exactly when it is counted in one counter row, because no call row is ever added or
/// removed without the counter in the same atomic transaction. So a retry of our own write that finds its call row
/// already there (409) knows the call is counted, and a reader can sum a few counter rows instead of every call row.
/// </para>
/// <para>
/// No contention: a counter row has one writer, this instance (its id is random per process), and its writes for one
/// account are serialized by <see cref="CallGroups{TKey,TInput,TResult}"/>, which also batches the concurrent calls of
/// the account into one transaction. The instance keeps each counter's stored value and ETag; after a failure whose
/// outcome is unknown it reads the row again, and every counter write is conditional on the ETag, so a write that
/// landed unseen is never counted over.
/// </para>
/// </summary>
public sealed class CallLedger
{
    private const int MaxActionsPerTransaction = 100;
    private const int MaxKnownCounters = 20_000;
    private readonly string _instance = Ids.RandomBase32(8).ToLowerInvariant();
    private readonly ConcurrentDictionary<(string AccountId, DateTime Minute), Counter> _counters = new();
    private readonly CallGroups<string, Entry, bool> _groups;

    public CallLedger() => _groups = new(WriteGroupAsync, MaxActionsPerTransaction / 2);

    /// <summary>Inserts the call row and counts it (once, however often this is retried).</summary>
    public Task RecordAsync(TableClient table, string accountId, DateTime minute, string requestId, string route, CancellationToken ct) =>
        _groups.CallAsync(accountId, new Entry(table, accountId, minute, requestId, route, Remove: false), ct);

    /// <summary>Deletes the call row and uncounts it, if it is there (a call that was given up).</summary>
    public Task RemoveAsync(TableClient table, string accountId, DateTime minute, string requestId, string route, CancellationToken ct) =>
        _groups.CallAsync(accountId, new Entry(table, accountId, minute, requestId, route, Remove: true), ct);

    private async Task WriteGroupAsync(string accountId, IReadOnlyList<GroupedCall<Entry, bool>> group, CancellationToken ct)
    {
        if (group.Count > 1)
        {
            try
            {
                await WriteAsync(group.Select(c => c.Input).ToList(), ct).ConfigureAwait(false);
                foreach (var call in group)
                {
                    call.Succeed(true);
                }

                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
            {
                // One entry was already done (an earlier try of it landed) or a counter moved: nothing of this
                // transaction was stored, so each entry is tried alone, which tells them apart.
            }
        }

        foreach (var call in group)
        {
            try
            {
                await WriteOneAsync(call.Input, ct).ConfigureAwait(false);
                call.Succeed(true);
            }
            catch (Exception ex)
            {
                call.Fail(ex);
            }
        }
    }

    private async Task WriteOneAsync(Entry entry, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync([entry], ct).ConfigureAwait(false);
                return;
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412 && attempt < 4)
            {
                // Done already (the row is there to add, or gone to remove), or the counter moved: look which.
                var row = await entry.Table.GetEntityIfExistsAsync<TableEntity>(entry.AccountId, entry.RowKey, select: ["RowKey"], cancellationToken: ct)
                    .ConfigureAwait(false);
                if (row.HasValue != entry.Remove)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The entries' call rows and their counters' new values in one transaction (all entries of one account).</summary>
    private async Task WriteAsync(IReadOnlyList<Entry> entries, CancellationToken ct)
    {
        var table = entries[0].Table;
        var accountId = entries[0].AccountId;
        var updates = new List<(Counter Counter, Dictionary<string, long> Counts)>();
        var actions = entries.Select(e => e.Remove
            ? new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(accountId, e.RowKey), ETag.All)
            : new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(accountId, e.RowKey) { ["Route"] = e.Route })).ToList();
        foreach (var minute in entries.GroupBy(e => e.Minute))
        {
            var counter = await CounterAsync(table, accountId, minute.Key, ct).ConfigureAwait(false);
            var counts = new Dictionary<string, long>(counter.Counts, StringComparer.Ordinal);
            foreach (var entry in minute)
            {
                counts[entry.Route] = counts.GetValueOrDefault(entry.Route) + (entry.Remove ? -1 : 1);
            }

            var row = new TableEntity(accountId, UsageKeys.Shard(minute.Key, _instance))
            {
                ["ByRoute"] = RouteCounts.Format(counts), ["Calls"] = counts.Values.Sum(),
            };
            actions.Add(counter.ETag is { } etag
                ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, row));
            updates.Add((counter, counts));
        }

        Response<IReadOnlyList<Response>> response;
        try
        {
            response = await table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The outcome may be unknown: what is stored is read again before the next write (writes of one account
            // are serialized, so nothing else touches these entries meanwhile).
            foreach (var (counter, _) in updates)
            {
                _counters.TryRemove((accountId, counter.Minute), out _);
            }

            throw;
        }

        for (var i = 0; i < updates.Count; i++)
        {
            var (counter, counts) = updates[i];
            if (response.Value[entries.Count + i].Headers.ETag is { } etag)
            {
                Remember(accountId, counter with { Counts = counts, ETag = etag });
            }
            else
            {
                _counters.TryRemove((accountId, counter.Minute), out _); // no ETag answered: read it next time
            }
        }
    }

    /// <summary>This instance's counter of the minute as stored: remembered, or read (absent: zero, to be added).</summary>
    private async Task<Counter> CounterAsync(TableClient table, string accountId, DateTime minute, CancellationToken ct)
    {
        if (_counters.TryGetValue((accountId, minute), out var known))
        {
            return known;
        }

        var stored = await table.GetEntityIfExistsAsync<TableEntity>(accountId, UsageKeys.Shard(minute, _instance), cancellationToken: ct).ConfigureAwait(false);
        return stored.HasValue
            ? new Counter(minute, new Dictionary<string, long>(RouteCounts.Parse(stored.Value!.GetString("ByRoute")), StringComparer.Ordinal), stored.Value.ETag)
            : new Counter(minute, new Dictionary<string, long>(StringComparer.Ordinal), null);
    }

    private void Remember(string accountId, Counter counter)
    {
        if (_counters.Count >= MaxKnownCounters)
        {
            _counters.Clear(); // forgetting only costs a read of each counter when it is next written
        }

        _counters[(accountId, counter.Minute)] = counter;
    }

    private sealed record Entry(TableClient Table, string AccountId, DateTime Minute, string RequestId, string Route, bool Remove)
    {
        public string RowKey => UsageKeys.Call(Minute, RequestId);
    }

    private sealed record Counter(DateTime Minute, IReadOnlyDictionary<string, long> Counts, ETag? ETag);
}
