using Vault.Core.Items;
using Vault.Core.Snapshots;
using Vault.Core.Storage;

namespace Vault.Core.Connections.Sync;

/// <summary>
/// The one place a provider's snapshot becomes a connection's state: connect, re-connect, sync, resync and the queue
/// all end here, with the connection's sync lease held by the caller (<see cref="SyncLeases"/>).
/// <list type="number">
/// <item>The items are written first, sealed under <c>key</c> (<see cref="SyncEngine"/>).</item>
/// <item>Then the connection row, conditional on its ETag: active, the snapshot's label and counts, last error and
/// back-off cleared, credentials sealed under the same key.</item>
/// <item>A delete that changed the row meanwhile wins: what this wrote is removed and the answer is null.</item>
/// <item>Once the row names a new key, the previous key is retired.</item>
/// </list>
/// </summary>
public sealed class SnapshotApplier(SyncEngine engine, ConnectionStore store, ConnectionCleanup cleanup, TimeProvider clock)
{
    /// <summary>The connection's cached items: the provider gets their detail versions, and the apply compares with them.</summary>
    public Task<List<StoredItem>> LoadCachedAsync(string accountId, string connectionId, CancellationToken ct) =>
        engine.LoadAsync(accountId, connectionId, ct);

    /// <summary>
    /// Applies <paramref name="snapshot"/> to the stored connection <paramref name="current"/> (as read under the lease,
    /// with any change the caller makes, e.g. a re-connect's server URL). <paramref name="credentials"/> are sealed under
    /// <paramref name="key"/>; null keeps the sealed credentials the row has, which must then be under the same key.
    /// </summary>
    public async Task<AppliedSnapshot?> ApplyAsync(
        Connection current, VaultSnapshot snapshot, ConnectionKey key, IReadOnlyList<StoredItem> cached, string? credentials, CancellationToken ct)
    {
        if (credentials is null && current.KeyId != key.KeyId)
        {
            throw new InvalidOperationException("A new key needs the credentials sealed again under it.");
        }

        var result = await engine.ApplyAsync(current.AccountId, current.ConnectionId, current.Provider, snapshot, key, ct, cached).ConfigureAwait(false);
        var saved = await store.TryUpdateAsync(Synced(current, snapshot, result, key, credentials), ct).ConfigureAwait(false);
        if (saved is null)
        {
            // Only a delete changes the row of a connection whose lease is held: it wins, and what we wrote goes (with
            // a fresh token: the caller may have gone, the clean-up must still run).
            using var cts = ConnectionCleanup.Deadline();
            await cleanup.RemoveLeftoversAsync(current.AccountId, current.ConnectionId, [key.KeyId, current.KeyId], cts.Token).ConfigureAwait(false);
            return null;
        }

        await cleanup.RetireKeyAsync(saved, current.KeyId, ct).ConfigureAwait(false);
        return new AppliedSnapshot(saved, result);
    }

    /// <summary>
    /// The provider found the vault unchanged: the items stay as they are and the row records a successful sync (and
    /// any credentials the provider refreshed, e.g. a new access token). Null when a delete came first.
    /// </summary>
    public async Task<Connection?> RecordUnchangedAsync(Connection current, ConnectionKey key, string? credentials, CancellationToken ct)
    {
        if (current.KeyId != key.KeyId)
        {
            throw new InvalidOperationException("An unchanged vault keeps its key; a new key needs every item sealed again.");
        }

        return await store.TryUpdateAsync(Recorded(current, key, credentials), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The first sync of a connection that has no row yet: its items under its first key, then the row, created with
    /// its slot and identity claim. Null when the slot was reclaimed meanwhile (the caller undoes the rest).
    /// </summary>
    public async Task<AppliedSnapshot?> ApplyToNewAsync(
        Connection draft, VaultSnapshot snapshot, ConnectionKey key, string credentials, SlotReservation slot, IdentityClaim claim, CancellationToken ct)
    {
        // A new id has nothing cached yet: no read of the cache.
        var result = await engine.ApplyAsync(draft.AccountId, draft.ConnectionId, draft.Provider, snapshot, key, ct, []).ConfigureAwait(false);
        var synced = Synced(draft, snapshot, result, key, credentials);
        var created = await store.CreateAsync(synced with { CreatedAt = synced.LastSyncedAt!.Value }, slot, claim, ct).ConfigureAwait(false);
        return created is null ? null : new AppliedSnapshot(created, result);
    }

    private Connection Synced(Connection connection, VaultSnapshot snapshot, SyncResult result, ConnectionKey key, string? credentials) =>
        Recorded(connection, key, credentials) with
        {
            Label = snapshot.Label,
            ItemCount = result.ItemCount,
            Vaults = result.Vaults,
            BudgetScope = snapshot.BudgetScope ?? connection.BudgetScope,
        };

    private Connection Recorded(Connection connection, ConnectionKey key, string? credentials) =>
        connection with
        {
            KeyId = key.KeyId,
            SealedCredentials = credentials is null ? connection.SealedCredentials : ProviderCalls.SealCredentials(key, connection.AccountId, credentials),
            Status = ConnectionStatus.Active,
            LastSyncedAt = clock.GetUtcNow(),
            LastError = null,
            FailureCount = 0,
            RetryAt = null,
        };
}
