using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Accounts;
using Vault.Core.Common;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Core.Providers;
using Vault.Core.Storage;
using Vault.Core.Snapshots;
using Vault.Core.Connections.Sync;

namespace Vault.Core.Connections;

public sealed record ConnectResult(Connection Connection, IReadOnlyList<CachedItem> Items, bool Created);

/// <summary>
/// Connect, re-connect in place, list and disconnect password managers, safely under concurrency:
/// <list type="bullet">
/// <item>Concurrent connects of one identity agree on one connection id through the identity claim (taken before the
/// slow first sync); the first creates it (201), the others wait for its lease and re-connect it in place (200).</item>
/// <item>A delete wins: it marks the row first, so a sync or re-connect that finishes later fails its ETag-conditional
/// write and removes what it wrote.</item>
/// <item>A failed connect releases its slot and claim; a slot whose creator crashed (no row, no live lease) or whose
/// delete stopped half-way is reclaimed by the next connect that needs it.</item>
/// </list>
/// </summary>
public sealed class ConnectionService(
    ProviderRegistry providers,
    ProviderCalls calls,
    ConnectionStore store,
    ConnectionCleanup cleanup,
    SnapshotApplier applier,
    ConnectionKeys keys,
    SyncLeases leases,
    IOptions<VaultOptions> options,
    ILogger<ConnectionService> logger)
{
    private const int MaxAttempts = 3;

    /// <summary>
    /// Validates the input, logs in and reads the vault, then stores credentials, items and the connection. Credentials
    /// of an existing connection's identity re-connect it in place. If a step after login fails, nothing half-made remains.
    /// </summary>
    public async Task<ConnectResult> ConnectAsync(string accountId, ConnectInput input, CancellationToken ct)
    {
        var provider = providers.Get(input.Provider);
        var credentials = provider.ParseCredentials(input);
        var identityHash = Ids.HashSecret(provider.Kind + "|" + credentials.Identity);
        for (var attempt = 1; ; attempt++)
        {
            if (await TryConnectAsync(accountId, provider, credentials, identityHash, ct).ConfigureAwait(false) is { } result)
            {
                return result;
            }

            if (attempt == MaxAttempts)
            {
                throw ApiErrors.VaultUnavailable("The connection changed while connecting (deleted or re-created concurrently); retry.", TimeSpan.FromSeconds(1));
            }
        }
    }

    public Task<List<Connection>> ListAsync(string accountId, CancellationToken ct) => store.ListAsync(accountId, ct);

    /// <summary>
    /// Marks the connection deleted (from then on it is gone for every reader and every running sync), then removes its
    /// credentials, every cached item, its claim and slot, and the row. Runs lose access with the items. A delete that
    /// failed part-way is finished by the next delete of the same id or by the next connect that needs its slot.
    /// </summary>
    public async Task DeleteAsync(string accountId, string connectionId, CancellationToken ct)
    {
        while (true)
        {
            var connection = await store.GetIncludingDeletingAsync(accountId, connectionId, ct).ConfigureAwait(false) ?? throw ApiErrors.NotFound("connection");
            if (connection.Status != ConnectionStatus.Deleting && await store.TryMarkDeletingAsync(connection, ct).ConfigureAwait(false) is null)
            {
                continue; // changed meanwhile (a sync recorded its result): read again and mark that version
            }

            await calls.ForgetAsync(connection, ct).ConfigureAwait(false); // while its key still opens its credentials
            if (!await cleanup.RemoveAllAsync(accountId, connectionId, connection.IdentityHash, [connection.KeyId], ct).ConfigureAwait(false))
            {
                throw ApiErrors.VaultUnavailable("The connection is deleted, but removing its data failed part-way; retry the delete to finish it.");
            }

            logger.LogInformation("Connection {ConnectionId} deleted", connectionId);
            return;
        }
    }

    /// <summary>One attempt; null when a concurrent change (a delete, a failed creator) means starting again.</summary>
    private async Task<ConnectResult?> TryConnectAsync(string accountId, IVaultProvider provider, ProviderCredentials credentials, string identityHash, CancellationToken ct)
    {
        // The lease of a new id is free; taking it before the claim means whoever reads the claim finds it held.
        var connectionId = Ids.New("conn");
        var holder = await leases.TryAcquireAsync(connectionId, options.Value.SyncLeaseDuration, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The lease of a new connection id was taken.");
        IdentityClaim claim;
        try
        {
            claim = await store.ClaimIdentityAsync(accountId, identityHash, connectionId, ct).ConfigureAwait(false);
        }
        catch
        {
            await leases.ReleaseQuietlyAsync(connectionId, holder).ConfigureAwait(false);
            throw;
        }

        if (!claim.Claimed)
        {
            // The identity belongs to a connection (maybe still in its first sync): wait for it, then re-connect it.
            await leases.ReleaseQuietlyAsync(connectionId, holder).ConfigureAwait(false);
            connectionId = claim.ConnectionId;
            logger.LogDebug("Connect of an identity already claimed waits for connection {ConnectionId}", connectionId);
            holder = await leases.WaitAsync(connectionId, options.Value.SyncLeaseWait, options.Value.SyncLeaseDuration, ct).ConfigureAwait(false)
                ?? throw ApiErrors.VaultUnavailable("A connect or sync of this connection is in progress; retry shortly.", TimeSpan.FromSeconds(5));
        }

        try
        {
            var existing = await store.GetIncludingDeletingAsync(accountId, connectionId, ct).ConfigureAwait(false);
            if (existing is { Status: ConnectionStatus.Deleting })
            {
                await cleanup.RemoveAllAsync(accountId, connectionId, identityHash, [existing.KeyId], ct).ConfigureAwait(false);
                return null;
            }

            if (existing is not null)
            {
                return await ReconnectAsync(existing, provider, credentials, ct).ConfigureAwait(false);
            }

            if (!claim.Claimed)
            {
                // Claimed for a connection that was never created: its creator failed (and released the claim: start
                // again) or crashed (the claim is still there and we hold its lease: finish the creation).
                var current = await store.GetClaimAsync(accountId, identityHash, ct).ConfigureAwait(false);
                if (current is null || current.ConnectionId != connectionId)
                {
                    return null;
                }

                claim = current;
            }

            return await CreateAsync(accountId, connectionId, provider, credentials, identityHash, claim, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ApiException && StorageFailures.IsBackingServiceFailure(ex))
        {
            throw StorageFailures.ToApiException(ex);
        }
        finally
        {
            await leases.ReleaseQuietlyAsync(connectionId, holder).ConfigureAwait(false);
        }
    }

    private async Task<ConnectResult> CreateAsync(
        string accountId, string connectionId, IVaultProvider provider, ProviderCredentials credentials, string identityHash, IdentityClaim claim, CancellationToken ct)
    {
        var slot = await ReserveSlotAsync(accountId, connectionId, ct).ConfigureAwait(false);
        if (slot is null)
        {
            await store.ReleaseClaimAsync(accountId, identityHash, connectionId, ct).ConfigureAwait(false);
            throw ApiErrors.MaxConnections();
        }

        ConnectionKey? key = null;
        try
        {
            // The connection's key exists (written once, here) before anything is sealed under it.
            key = await keys.CreateAsync(connectionId, ct).ConfigureAwait(false);
            var snapshot = await ReadWithNewCredentialsAsync(accountId, connectionId, provider, credentials, [], ct).ConfigureAwait(false);
            var draft = new Connection(accountId, connectionId, provider.Kind, ConnectionStatus.Active, snapshot.Label, credentials.ServerUrl,
                0, [], default, null, null, identityHash); // the applier sets the counts and times
            var applied = await applier.ApplyToNewAsync(draft, snapshot, key, snapshot.RefreshedSecret ?? credentials.Secret, slot, claim, ct).ConfigureAwait(false)
                ?? throw ApiErrors.VaultUnavailable("The first sync took so long that its connection slot was reclaimed; retry.", TimeSpan.FromSeconds(1));
            logger.LogInformation("Connection {ConnectionId} ({Provider}) created with {ItemCount} items", connectionId, provider.Kind, applied.Result.ItemCount);
            return new ConnectResult(applied.Connection, applied.Result.Items, true);
        }
        catch
        {
            await UndoCreateAsync(accountId, connectionId, identityHash, key?.KeyId).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The vault read with credentials the user just gave (create and re-connect alike); a rejection is a 400.</summary>
    private Task<VaultSnapshot> ReadWithNewCredentialsAsync(
        string accountId, string connectionId, IVaultProvider provider, ProviderCredentials credentials, IReadOnlyList<StoredItem> cached, CancellationToken ct) =>
        calls.ReadVaultWithNewCredentialsAsync(provider,
            new ProviderContext(accountId, connectionId, credentials) { CachedDetails = _ => Task.FromResult(SyncEngine.CachedDetails(cached)) }, ct);

    /// <summary>
    /// Same identity, same connection: new credentials, a fresh sync, status back to active, and a new key (rotation):
    /// every row is sealed again under it, then the old key is deleted. Until the row names the new key both exist, so
    /// a reader in between opens whichever key a value names. What the provider keeps of the credentials (its refreshed
    /// session, e.g. Bitwarden's user key instead of the master password) is what gets sealed.
    /// </summary>
    private async Task<ConnectResult?> ReconnectAsync(Connection existing, IVaultProvider provider, ProviderCredentials credentials, CancellationToken ct)
    {
        var (accountId, connectionId) = (existing.AccountId, existing.ConnectionId);
        var cached = await applier.LoadCachedAsync(accountId, connectionId, ct).ConfigureAwait(false);
        // A failure after this leaves the new key behind on purpose: rows may already be sealed under it.
        var key = await keys.CreateAsync(connectionId, ct).ConfigureAwait(false);
        var snapshot = await ReadWithNewCredentialsAsync(accountId, connectionId, provider, credentials, cached, ct).ConfigureAwait(false);
        var applied = await applier.ApplyAsync(existing with { ServerUrl = credentials.ServerUrl }, snapshot, key, cached,
            snapshot.RefreshedSecret ?? credentials.Secret, ct).ConfigureAwait(false);
        if (applied is null)
        {
            return null; // deleted while we re-connected: the delete won; start again as a new connection
        }

        logger.LogInformation("Connection {ConnectionId} ({Provider}) re-connected with {ItemCount} items", connectionId, provider.Kind, applied.Result.ItemCount);
        return new ConnectResult(applied.Connection, applied.Result.Items, false);
    }

    /// <summary>A free slot, reclaiming one whose connection was never finished or whose delete stopped half-way.</summary>
    private async Task<SlotReservation?> ReserveSlotAsync(string accountId, string connectionId, CancellationToken ct)
    {
        if (await store.TryReserveSlotAsync(accountId, connectionId, ct).ConfigureAwait(false) is { } slot)
        {
            return slot;
        }

        var reclaimed = false;
        foreach (var (reservation, owner) in await store.ListSlotsAsync(accountId, ct).ConfigureAwait(false))
        {
            var holder = await store.GetIncludingDeletingAsync(accountId, owner, ct).ConfigureAwait(false);
            if (holder is { Status: ConnectionStatus.Deleting })
            {
                reclaimed |= await cleanup.RemoveAllAsync(accountId, owner, holder.IdentityHash, [holder.KeyId], ct).ConfigureAwait(false);
            }
            else if (holder is null && !await leases.IsHeldAsync(owner, ct).ConfigureAwait(false))
            {
                // Reserved by a connect that crashed before creating its row (its lease has expired).
                logger.LogWarning("Reclaiming slot {Slot} from unfinished connection {ConnectionId}", reservation.Slot, owner);
                await store.ReleaseSlotAsync(accountId, reservation, ct).ConfigureAwait(false);
                reclaimed = true;
            }
        }

        return reclaimed ? await store.TryReserveSlotAsync(accountId, connectionId, ct).ConfigureAwait(false) : null;
    }

    private async Task UndoCreateAsync(string accountId, string connectionId, string identityHash, string? keyId)
    {
        // With a fresh token: the caller may have gone, the clean-up must still run. A row that exists is ours and
        // complete (its creation succeeded though the answer was lost): it stays, and a retry re-connects it.
        using var cts = ConnectionCleanup.Deadline();
        var token = cts.Token;
        try
        {
            if (await store.GetIncludingDeletingAsync(accountId, connectionId, token).ConfigureAwait(false) is not null)
            {
                return;
            }
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
        }

        if (!await cleanup.RemoveAllAsync(accountId, connectionId, identityHash, keyId is null ? [] : [keyId], token).ConfigureAwait(false))
        {
            logger.LogError("Clean-up of failed connection {ConnectionId} was incomplete; its slot is reclaimed by a later connect", connectionId);
        }
    }
}
