using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Items;

/// <summary>
/// This instance's copies of the item cache's hot range reads (an account's items for one domain, one page of its
/// list), kept exact across instances by a change stamp: every write of an account's items ends by rewriting the
/// account's row in the stamps table (its own table, so the item partition holds items only), whose ETag then changes,
/// and every read first reads that ETag and uses a copy only if the copy was made under the same one.
/// <para>
/// Why that is exact: a copy is read after its stamp was, so any write that finished before the stamp was read is in
/// the copy, and any write that finished after it changed the stamp, so the copy is no longer used. A caller is served
/// only by a stamp read that started after it called (<see cref="CallGroups{TKey,TInput,TResult}"/>), so it sees every
/// write that finished before it called; concurrent calls of one account share that one point read. A writer that dies
/// between its rows and its stamp leaves copies that are never newer than <see cref="MaxAge"/>.
/// </para>
/// <para>
/// A call then costs one point read instead of a range query, which matters most where range queries are costly
/// (Azurite scans the table for each one) and under many concurrent calls of one account.
/// </para>
/// </summary>
public sealed class ItemReadCache(Tables tables)
{
    private const string StampRow = "items";

    /// <summary>A copy is not used after this long, whatever the stamp says (a writer may have died before its stamp).</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);

    /// <summary>Results longer than this are read fresh each time rather than held in memory.</summary>
    public const int MaxCachedItems = 200;

    /// <summary>
    /// All copies together hold at most this many items (about 1 KiB each), so memory stays bounded per instance. Every
    /// copy made is counted, replaced ones too: the count can only run ahead, so the cache starts over early, never late.
    /// </summary>
    private const int MaxHeldItems = 50_000;
    private int _heldItems;
    private readonly ConcurrentDictionary<(string AccountId, object Read), Copy> _copies = new();
    private readonly CallGroups<string, TableClient, string> _stampReads = new(ReadStampsAsync, int.MaxValue);

    /// <summary>
    /// The result of <paramref name="read"/> for this account, from a copy made under the current stamp or read now.
    /// <paramref name="readKey"/> must have value equality and identify the read completely (a record of its parameters).
    /// </summary>
    public async Task<T> GetOrReadAsync<T>(string accountId, object readKey, Func<Task<T>> read, Func<T, int> itemCount, CancellationToken ct)
        where T : class
    {
        var stamps = await tables.StampsAsync(ct).ConfigureAwait(false);
        var stamp = await _stampReads.CallAsync(accountId, stamps, ct).ConfigureAwait(false);
        var key = (accountId, readKey);
        if (_copies.TryGetValue(key, out var copy) && copy.Stamp == stamp && Stopwatch.GetElapsedTime(copy.MadeAt) < MaxAge && copy.Value is T known)
        {
            return known;
        }

        var madeAt = Stopwatch.GetTimestamp();
        var value = await read().ConfigureAwait(false);
        var items = itemCount(value);
        if (items <= MaxCachedItems)
        {
            if (Interlocked.Add(ref _heldItems, items + 1) > MaxHeldItems)
            {
                // Cheap and rare: start over (a miss only costs the read it would have saved).
                _copies.Clear();
                Interlocked.Exchange(ref _heldItems, items + 1);
            }

            _copies[key] = new Copy(stamp, value, madeAt);
        }

        return value;
    }

    /// <summary>Ends a write of the account's items: copies made before it are no longer used, on any instance.</summary>
    public async Task MarkChangedAsync(string accountId, CancellationToken ct)
    {
        var stamps = await tables.StampsAsync(ct).ConfigureAwait(false);
        // Rewriting the row is enough: Table Storage gives it a new ETag.
        await stamps.UpsertEntityAsync(new TableEntity(accountId, StampRow), TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    private static async Task ReadStampsAsync(string accountId, IReadOnlyList<GroupedCall<TableClient, string>> callers, CancellationToken ct)
    {
        var stored = await callers[0].Input.GetEntityIfExistsAsync<TableEntity>(accountId, StampRow, select: ["PartitionKey"], cancellationToken: ct)
            .ConfigureAwait(false);
        var stamp = stored.HasValue ? stored.Value!.ETag.ToString() : "none";
        foreach (var caller in callers)
        {
            caller.Succeed(stamp);
        }
    }

    private sealed record Copy(string Stamp, object Value, long MadeAt);
}
