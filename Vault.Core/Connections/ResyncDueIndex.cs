using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Storage;

namespace Vault.Core.Connections;

/// <summary>
/// The resync schedule as an index (table <c>resyncdue</c>), so the timer finds due connections without reading every
/// connection: one entry per active connection, partition = <c>shard|slot</c> (the connection's shard of
/// <see cref="Shards"/>, then the 5-minute slot its due time falls in), row = account and connection, with the exact
/// due time. The connection row names its entry's partition (<see cref="Connection.DueSlot"/>), and
/// <see cref="ConnectionStore"/> moves the entry whenever it writes the row, so every change of the due time (a sync's
/// result, a failure's back-off, connect, re-connect, reconnect-required, delete) moves it with no caller involved.
/// <para>
/// Why an index and not a chain of delayed queue messages: a message cannot be moved or withdrawn (a back-off, an early
/// sync or a delete could only be skipped when it arrives), the 7-day visibility limit needs re-chaining, and a lost
/// link is invisible until someone scans. An entry is state that can be moved, removed and counted.
/// </para>
/// <para>
/// Load: the shard comes first in the partition key, so the timer reads one range per shard (16 queries a tick,
/// whatever the number of connections: everything up to now in that shard, removed as it is enqueued), and the writes of
/// any moment (syncs schedule about one interval ahead, into the same few slots) spread over 16 partitions far apart in
/// key space instead of one hot slot partition. At 1M connections and a 6-hour interval that is ~46 entry moves a second
/// in all, under 3 per partition.
/// </para>
/// An entry left behind (a crash between the entry's write and the row's, a failed removal) is harmless: its message
/// finds the connection not due, deleted or re-scheduled, and the worker skips it (and re-writes a lost entry).
/// </summary>
public sealed class ResyncDueIndex(Tables tables, IResyncSchedule schedule, TimeProvider clock)
{
    /// <summary>Fixed: entries are found by shard, so changing it would strand the entries of the shards dropped.</summary>
    public const int Shards = 16;

    public static readonly TimeSpan SlotLength = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The entry a connection row in this state should have; null: none (not active). A due time already past goes in
    /// the current slot, never an earlier one, so the timer (which reads up to now) always finds it.
    /// </summary>
    public ResyncDueEntry? EntryFor(Connection connection)
    {
        if (schedule.NextDueAt(connection) is not { } due)
        {
            return null;
        }

        var now = clock.GetUtcNow();
        return new ResyncDueEntry(PartitionKey(ShardOf(connection.ConnectionId), due > now ? due : now), connection.AccountId, connection.ConnectionId, due);
    }

    public async Task PutAsync(ResyncDueEntry entry, CancellationToken ct)
    {
        var table = await tables.ResyncDueAsync(ct).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(entry.PartitionKey, RowKey(entry.AccountId, entry.ConnectionId))
        {
            ["AccountId"] = entry.AccountId,
            ["ConnectionId"] = entry.ConnectionId,
            ["DueAt"] = entry.DueAt,
        }, TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    /// <summary>Removes the connection's entry in <paramref name="partitionKey"/>, if there is one.</summary>
    public async Task RemoveAsync(string partitionKey, string accountId, string connectionId, CancellationToken ct)
    {
        var table = await tables.ResyncDueAsync(ct).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(partitionKey, RowKey(accountId, connectionId), ETag.All, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Removes an entry the timer enqueued, unless it was rewritten since it was read (then it stays).</summary>
    public async Task<bool> RemoveIfUnchangedAsync(ResyncDueEntry entry, CancellationToken ct)
    {
        var table = await tables.ResyncDueAsync(ct).ConfigureAwait(false);
        try
        {
            await table.DeleteEntityAsync(entry.PartitionKey, RowKey(entry.AccountId, entry.ConnectionId), entry.ETag, ct).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// The entries of <paramref name="shard"/> due by <paramref name="now"/>: one range over its slots up to now's slot
    /// (earlier slots hold only due entries, as enqueued ones are removed; in now's slot the service filters by due time).
    /// </summary>
    public async IAsyncEnumerable<ResyncDueEntry> ListDueAsync(int shard, DateTimeOffset now, [EnumeratorCancellation] CancellationToken ct)
    {
        var table = await tables.ResyncDueAsync(ct).ConfigureAwait(false);
        var from = ShardPrefix(shard);
        var to = PartitionKey(shard, now);
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {from} and PartitionKey le {to} and DueAt le {now}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct).ConfigureAwait(false))
        {
            yield return new ResyncDueEntry(e.PartitionKey, e.GetString("AccountId"), e.GetString("ConnectionId"), e.GetDateTimeOffset("DueAt") ?? now) { ETag = e.ETag };
        }
    }

    /// <summary>The connection's entry, wherever the row says it is (tests and diagnostics).</summary>
    public async Task<ResyncDueEntry?> GetAsync(Connection connection, CancellationToken ct)
    {
        if (connection.DueSlot is null)
        {
            return null;
        }

        var table = await tables.ResyncDueAsync(ct).ConfigureAwait(false);
        var e = await table.GetEntityIfExistsAsync<TableEntity>(connection.DueSlot, RowKey(connection.AccountId, connection.ConnectionId), cancellationToken: ct).ConfigureAwait(false);
        return e.HasValue
            ? new ResyncDueEntry(e.Value!.PartitionKey, connection.AccountId, connection.ConnectionId, e.Value.GetDateTimeOffset("DueAt") ?? default) { ETag = e.Value.ETag }
            : null;
    }

    /// <summary>A stable shard per connection, so all of its entries land in one shard.</summary>
    public static int ShardOf(string connectionId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes("due|" + connectionId), hash);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % Shards);
    }

    public static string PartitionKey(int shard, DateTimeOffset time)
    {
        var utc = time.UtcDateTime;
        var slot = new DateTime(utc.Ticks - utc.Ticks % SlotLength.Ticks, DateTimeKind.Utc);
        return ShardPrefix(shard) + slot.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    private static string ShardPrefix(int shard) => shard.ToString("D2", CultureInfo.InvariantCulture) + "|";

    private static string RowKey(string accountId, string connectionId) => TableKeys.Escape(accountId) + "|" + TableKeys.Escape(connectionId);
}
