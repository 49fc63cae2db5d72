using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Items;
using Vault.Core.Storage;

namespace Vault.Core.Connections;

/// <summary>An identity's claim: which connection an identity belongs to, with the ETag it was read at.</summary>
public sealed record IdentityClaim(string ConnectionId, ETag ETag, bool Claimed);

/// <summary>A slot row held for a connection, with the ETag it was read or written at.</summary>
public sealed record SlotReservation(int Slot, ETag ETag);

/// <summary>
/// Connections in Table Storage (partition = account), with three kinds of row that together keep the lifecycle safe
/// under concurrency. Every change is an insert-if-absent, an ETag-conditional update or delete, or an entity-group
/// transaction of those; never a blind upsert.
/// <list type="bullet">
/// <item><c>ident|hash</c>: claims an identity for one connection id (insert-if-absent), so concurrent connects of the
/// same identity agree on one connection before the slow first sync.</item>
/// <item><c>slot|0</c>, <c>slot|1</c>: the 2-connection rule (insert-if-absent), each naming its connection.</item>
/// <item><c>conn|id</c>: the connection. It is created in one transaction with its slot and claim rows (both
/// ETag-conditional), so a slot reclaimed from a creator that took too long makes that creation fail as a whole.</item>
/// </list>
/// A connection being deleted is first marked <see cref="ConnectionStatus.Deleting"/>: hidden from every read, and the
/// ETag change makes any sync that read it before fail its final write.
/// <para>
/// Every write of a connection row also keeps its entry in the resync due-time index (<see cref="ResyncDueIndex"/>):
/// the new entry is written before the row (so the entry a row names exists by the time the row does), the old one removed
/// after it; a row write that loses removes the entry it wrote unless the winner's row names that same entry.
/// </para>
/// </summary>
public sealed class ConnectionStore(Tables tables, ResyncDueIndex dueIndex) : IConnectionPresence
{
    public const int MaxConnections = 2;
    private const string ConnectionPrefix = "conn|";
    private const string SlotPrefix = "slot|";
    private const string IdentityPrefix = "ident|";

    /// <summary>The account's connections (not those being deleted), oldest first.</summary>
    public async Task<List<Connection>> ListAsync(string accountId, CancellationToken ct) =>
        (await ListIncludingDeletingAsync(accountId, ct).ConfigureAwait(false)).Where(c => c.Status != ConnectionStatus.Deleting).ToList();

    public async Task<List<Connection>> ListIncludingDeletingAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var result = new List<Connection>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, ConnectionPrefix), cancellationToken: ct).ConfigureAwait(false))
        {
            result.Add(FromEntity(entity));
        }

        return result.OrderBy(c => c.CreatedAt).ThenBy(c => c.ConnectionId, StringComparer.Ordinal).ToList();
    }

    /// <summary>The connection, or null when there is none or it is being deleted.</summary>
    public async Task<Connection?> GetAsync(string accountId, string connectionId, CancellationToken ct) =>
        await GetIncludingDeletingAsync(accountId, connectionId, ct).ConfigureAwait(false) is { } c && c.Status != ConnectionStatus.Deleting ? c : null;

    public async Task<Connection?> GetIncludingDeletingAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(accountId, ConnectionRow(connectionId), cancellationToken: ct).ConfigureAwait(false);
        return entity.HasValue ? FromEntity(entity.Value!) : null;
    }

    public async Task<bool> AnyAsync(string accountId, CancellationToken ct) => (await ListAsync(accountId, ct).ConfigureAwait(false)).Count > 0;

    /// <summary>
    /// One page of every account's connection rows (the whole table, in key order), for the one-time backfill of the
    /// due-time index; <paramref name="continuation"/> is the previous page's token, null to start.
    /// </summary>
    public async Task<(List<Connection> Page, string? Continuation)> ListAllPageAsync(string? continuation, int pageSize, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"RowKey ge {ConnectionPrefix} and RowKey lt {TableKeys.PrefixEnd(ConnectionPrefix)}");
        await foreach (var page in table.QueryAsync<TableEntity>(filter, maxPerPage: pageSize, cancellationToken: ct).AsPages(continuation, pageSize).ConfigureAwait(false))
        {
            return (page.Values.Select(FromEntity).ToList(), page.ContinuationToken);
        }

        return ([], null);
    }

    /// <summary>
    /// Makes sure the connection as read has its due-time entry: rewrites the entry where the row says it is, or, for a
    /// row that names none or another slot (written before the index, or an entry lost), rewrites the row under its ETag
    /// with its entry. False when the row changed meanwhile (whoever changed it scheduled it).
    /// </summary>
    public async Task<bool> EnsureScheduledAsync(Connection connection, CancellationToken ct)
    {
        if (dueIndex.EntryFor(connection) is not { } entry)
        {
            return true;
        }

        if (entry.PartitionKey == connection.DueSlot)
        {
            await dueIndex.PutAsync(entry, ct).ConfigureAwait(false);
            return true;
        }

        return await TryUpdateAsync(connection, ct).ConfigureAwait(false) is not null;
    }

    /// <summary>
    /// Claims <paramref name="identityHash"/> for <paramref name="connectionId"/> if nobody has; otherwise answers the
    /// existing claim (<see cref="IdentityClaim.Claimed"/> false), whose connection the caller then re-connects.
    /// </summary>
    public async Task<IdentityClaim> ClaimIdentityAsync(string accountId, string identityHash, string connectionId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        while (true)
        {
            try
            {
                var added = await table.AddEntityAsync(new TableEntity(accountId, IdentityRow(identityHash)) { ["ConnectionId"] = connectionId }, ct).ConfigureAwait(false);
                return new IdentityClaim(connectionId, added.Headers.ETag ?? default, true);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }

            if (await GetClaimAsync(accountId, identityHash, ct).ConfigureAwait(false) is { } existing)
            {
                return existing;
            }

            // Released between our insert and our read: try again.
        }
    }

    public async Task<IdentityClaim?> GetClaimAsync(string accountId, string identityHash, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(accountId, IdentityRow(identityHash), cancellationToken: ct).ConfigureAwait(false);
        return entity.HasValue ? new IdentityClaim(entity.Value!.GetString("ConnectionId"), entity.Value.ETag, false) : null;
    }

    /// <summary>Removes the identity's claim if it still names <paramref name="connectionId"/>.</summary>
    public async Task ReleaseClaimAsync(string accountId, string identityHash, string connectionId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        if (await GetClaimAsync(accountId, identityHash, ct).ConfigureAwait(false) is { } claim && claim.ConnectionId == connectionId)
        {
            await DeleteQuietlyAsync(table, accountId, IdentityRow(identityHash), claim.ETag, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The slot rows: slot number, the connection named, and the row's ETag.</summary>
    public async Task<List<(SlotReservation Reservation, string ConnectionId)>> ListSlotsAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var slots = new List<(SlotReservation, string)>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, SlotPrefix), cancellationToken: ct).ConfigureAwait(false))
        {
            slots.Add((new SlotReservation(int.Parse(entity.RowKey[SlotPrefix.Length..], CultureInfo.InvariantCulture), entity.ETag), entity.GetString("ConnectionId")));
        }

        return slots;
    }

    /// <summary>A slot for <paramref name="connectionId"/>: the one it already holds, else a free one; null when all are held.</summary>
    public async Task<SlotReservation?> TryReserveSlotAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var held = await ListSlotsAsync(accountId, ct).ConfigureAwait(false);
        if (held.FirstOrDefault(s => s.ConnectionId == connectionId).Reservation is { } mine)
        {
            return mine;
        }

        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        for (var slot = 0; slot < MaxConnections; slot++)
        {
            if (held.Any(s => s.Reservation.Slot == slot))
            {
                continue;
            }

            try
            {
                var added = await table.AddEntityAsync(new TableEntity(accountId, SlotRow(slot)) { ["ConnectionId"] = connectionId }, ct).ConfigureAwait(false);
                return new SlotReservation(slot, added.Headers.ETag ?? default);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }
        }

        return null;
    }

    /// <summary>Frees a slot if it is still the row that was read (a concurrent reservation is never freed).</summary>
    public async Task ReleaseSlotAsync(string accountId, SlotReservation slot, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        await DeleteQuietlyAsync(table, accountId, SlotRow(slot.Slot), slot.ETag, ct).ConfigureAwait(false);
    }

    /// <summary>Frees whichever slot names <paramref name="connectionId"/>.</summary>
    public async Task ReleaseSlotOfAsync(string accountId, string connectionId, CancellationToken ct)
    {
        foreach (var (reservation, owner) in await ListSlotsAsync(accountId, ct).ConfigureAwait(false))
        {
            if (owner == connectionId)
            {
                await ReleaseSlotAsync(accountId, reservation, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Creates the connection row in one transaction with ETag-conditional touches of its slot and identity claim:
    /// if either was taken away meanwhile (a slot reclaimed, a claim released), nothing is written.
    /// </summary>
    /// <returns>The stored connection with its ETag; null when the slot or claim was lost.</returns>
    public async Task<Connection?> CreateAsync(Connection connection, SlotReservation slot, IdentityClaim claim, CancellationToken ct)
    {
        var entry = dueIndex.EntryFor(connection);
        connection = connection with { DueSlot = entry?.PartitionKey };
        if (entry is not null)
        {
            await dueIndex.PutAsync(entry, ct).ConfigureAwait(false);
        }

        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, ToEntity(connection)),
            new(TableTransactionActionType.UpdateMerge, new TableEntity(connection.AccountId, SlotRow(slot.Slot)) { ["ConnectionId"] = connection.ConnectionId }, slot.ETag),
            new(TableTransactionActionType.UpdateMerge, new TableEntity(connection.AccountId, IdentityRow(connection.IdentityHash)) { ["ConnectionId"] = connection.ConnectionId }, claim.ETag),
        };
        try
        {
            var response = await table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false);
            return connection with { ETag = response.Value[0].Headers.ETag?.ToString() };
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            await RemoveEntryQuietlyAsync(entry?.PartitionKey, connection, ct).ConfigureAwait(false); // a new id: the entry was only ours
            return null;
        }
    }

    /// <summary>
    /// Replaces the row if it is unchanged since <see cref="Connection.ETag"/> was read. Null when it changed or is gone:
    /// the caller lost to a concurrent change (a delete), and must not act as if its write landed.
    /// </summary>
    public async Task<Connection?> TryUpdateAsync(Connection connection, CancellationToken ct)
    {
        var previousSlot = connection.DueSlot; // the version read, which the ETag below pins
        var entry = dueIndex.EntryFor(connection);
        connection = connection with { DueSlot = entry?.PartitionKey };
        if (entry is not null)
        {
            await dueIndex.PutAsync(entry, ct).ConfigureAwait(false);
        }

        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        Connection saved;
        try
        {
            var response = await table.UpdateEntityAsync(ToEntity(connection), new ETag(connection.ETag!), TableUpdateMode.Replace, ct).ConfigureAwait(false);
            saved = connection with { ETag = response.Headers.ETag?.ToString() };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            await ForgetLostEntryAsync(entry, connection, ct).ConfigureAwait(false);
            return null;
        }

        if (previousSlot is not null && previousSlot != entry?.PartitionKey)
        {
            await RemoveEntryQuietlyAsync(previousSlot, connection, ct).ConfigureAwait(false);
        }

        return saved;
    }

    /// <summary>Our row write lost: the entry we wrote goes, unless the winner's row names that same entry.</summary>
    private async Task ForgetLostEntryAsync(ResyncDueEntry? entry, Connection connection, CancellationToken ct)
    {
        if (entry is null)
        {
            return;
        }

        try
        {
            var winner = await GetIncludingDeletingAsync(connection.AccountId, connection.ConnectionId, ct).ConfigureAwait(false);
            if (winner?.DueSlot != entry.PartitionKey || winner.Status == ConnectionStatus.Deleting)
            {
                await dueIndex.RemoveAsync(entry.PartitionKey, connection.AccountId, connection.ConnectionId, ct).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            // Left behind: its message finds the connection deleted or not due and is skipped.
        }
    }

    /// <summary>An entry the row no longer names; failing to remove it leaves only a message the worker skips.</summary>
    private async Task RemoveEntryQuietlyAsync(string? partitionKey, Connection connection, CancellationToken ct)
    {
        if (partitionKey is null)
        {
            return;
        }

        try
        {
            await dueIndex.RemoveAsync(partitionKey, connection.AccountId, connection.ConnectionId, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
        }
    }

    /// <summary>Marks the connection as being deleted (hidden from reads, stale for every sync that read it before).</summary>
    public async Task<Connection?> TryMarkDeletingAsync(Connection connection, CancellationToken ct) =>
        await TryUpdateAsync(connection with { Status = ConnectionStatus.Deleting }, ct).ConfigureAwait(false);

    /// <summary>Removes the connection row (any version: only called once its clean-up is done).</summary>
    public async Task RemoveRowAsync(string accountId, string connectionId, CancellationToken ct)
    {
        // Marking it deleting removed its entry already; this finishes a removal that failed then.
        if (await GetIncludingDeletingAsync(accountId, connectionId, ct).ConfigureAwait(false) is { DueSlot: { } slot })
        {
            await dueIndex.RemoveAsync(slot, accountId, connectionId, ct).ConfigureAwait(false);
        }

        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        await DeleteQuietlyAsync(table, accountId, ConnectionRow(connectionId), ETag.All, ct).ConfigureAwait(false);
    }

    private static async Task DeleteQuietlyAsync(TableClient table, string partition, string row, ETag etag, CancellationToken ct)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, etag, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or taken over by someone else: not ours to delete.
        }
    }

    private static string ConnectionRow(string connectionId) => ConnectionPrefix + TableKeys.Escape(connectionId);

    private static string SlotRow(int slot) => SlotPrefix + slot.ToString(CultureInfo.InvariantCulture);

    private static string IdentityRow(string identityHash) => IdentityPrefix + identityHash;

    private static TableEntity ToEntity(Connection c) => new(c.AccountId, ConnectionRow(c.ConnectionId))
    {
        ["ConnectionId"] = c.ConnectionId,
        ["Provider"] = c.Provider,
        ["Status"] = c.Status,
        ["Label"] = c.Label,
        ["ServerUrl"] = c.ServerUrl,
        ["ItemCount"] = c.ItemCount,
        ["Vaults"] = JsonSerializer.Serialize(c.Vaults.ToList(), ConnectionJson.Default.ListString),
        ["CreatedAt"] = c.CreatedAt,
        ["LastSyncedAt"] = c.LastSyncedAt,
        ["LastError"] = c.LastError is null ? null : JsonSerializer.Serialize(c.LastError, ConnectionJson.Default.ConnectionError),
        ["IdentityHash"] = c.IdentityHash,
        ["KeyId"] = c.KeyId,
        ["Credentials"] = c.SealedCredentials,
        ["FailureCount"] = c.FailureCount,
        ["RetryAt"] = c.RetryAt,
        ["DueSlot"] = c.DueSlot,
        ["BudgetScope"] = c.BudgetScope,
    };

    private static Connection FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("ConnectionId"),
        e.GetString("Provider"),
        e.GetString("Status"),
        e.GetString("Label") ?? string.Empty,
        e.GetString("ServerUrl"),
        e.GetInt32("ItemCount") ?? 0,
        JsonSerializer.Deserialize(e.GetString("Vaults") ?? "[]", ConnectionJson.Default.ListString) ?? [],
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("LastSyncedAt"),
        e.GetString("LastError") is { } error ? JsonSerializer.Deserialize(error, ConnectionJson.Default.ConnectionError) : null,
        e.GetString("IdentityHash") ?? string.Empty)
    {
        ETag = e.ETag.ToString(),
        KeyId = e.GetString("KeyId"),
        SealedCredentials = e.GetBinary("Credentials"),
        FailureCount = e.GetInt32("FailureCount") ?? 0,
        RetryAt = e.GetDateTimeOffset("RetryAt"),
        DueSlot = e.GetString("DueSlot"),
        BudgetScope = e.GetString("BudgetScope"),
    };
}
