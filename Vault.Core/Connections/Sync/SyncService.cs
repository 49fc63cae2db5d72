using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Accounts;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Core.Snapshots;

namespace Vault.Core.Connections.Sync;

/// <summary>
/// The one sync code path (HTTP, timer, queue): re-reads a connection's vault and applies it to the cache under a lease.
/// A failed sync never touches cached items; rejected credentials mark the connection <c>reconnect_required</c>.
/// </summary>
public sealed class SyncService(
    ProviderCalls calls,
    ConnectionStore store,
    ItemStore items,
    SnapshotApplier applier,
    ConnectionKeys keys,
    SyncLeases leases,
    TimeProvider clock,
    IOptions<VaultOptions> options,
    ILogger<SyncService> logger)
{
    /// <summary>POST /v1/vault/items/sync: every connection of the account, or one.</summary>
    public async Task<SyncAllResult> SyncAccountAsync(string accountId, string? connectionId, CancellationToken ct)
    {
        List<Connection> connections;
        if (connectionId is not null)
        {
            var one = await store.GetAsync(accountId, connectionId, ct).ConfigureAwait(false);
            if (one is null)
            {
                throw await store.AnyAsync(accountId, ct).ConfigureAwait(false) ? ApiErrors.NotFound("connection") : ApiErrors.NoConnections();
            }

            connections = [one];
        }
        else
        {
            connections = await store.ListAsync(accountId, ct).ConfigureAwait(false);
            if (connections.Count == 0)
            {
                throw ApiErrors.NoConnections();
            }
        }

        var outcomes = new List<ConnectionSyncOutcome>();
        foreach (var connection in connections)
        {
            var outcome = await SyncConnectionAsync(connection, ct, fullRead: true).ConfigureAwait(false); // asked for: read everything
            if (outcome.Error?.Code != ErrorCodes.NotFound)
            {
                outcomes.Add(outcome); // a connection deleted while it synced is simply gone
            }
        }

        if (outcomes.Count == 0)
        {
            throw connectionId is not null ? ApiErrors.NotFound("connection") : ApiErrors.NoConnections();
        }

        if (!outcomes.Any(o => o.Synced))
        {
            if (outcomes.All(o => o.NeedsReconnect))
            {
                throw ApiErrors.ReconnectRequired();
            }

            // Retrying cannot help a vault whose encryption is not understood: say so instead of "unavailable".
            // Nor a vault over the service's limits: the 400 names the limit.
            if (outcomes.All(o => o.NeedsReconnect || o.Error!.Code is ErrorCodes.UnsupportedVaultEncryption or ErrorCodes.VaultTooLarge))
            {
                var refused = outcomes.First(o => o.Error!.Code is ErrorCodes.UnsupportedVaultEncryption or ErrorCodes.VaultTooLarge).Error!;
                throw new ApiException(refused.Code, refused.Message);
            }

            var wait = outcomes.Where(o => o.RetryAfter is not null).Select(o => o.RetryAfter!.Value).DefaultIfEmpty().Max();
            throw ApiErrors.VaultUnavailable("No connection could be synced: the vault provider or a backing service failed; retry later.",
                wait > TimeSpan.Zero ? wait : null);
        }

        var summary = outcomes.Aggregate(SyncSummary.Empty, (sum, o) => sum.Plus(o.Summary));
        return new SyncAllResult(outcomes, summary, await items.ListAllAsync(accountId, ct).ConfigureAwait(false));
    }

    /// <summary>Syncs one connection; provider and storage failures are recorded on the connection, not thrown.</summary>
    /// <param name="fullRead">Download the vault even when the provider says it did not change (a sync the user asked
    /// for, as the official clients' "sync now"); a background resync lets an unchanged vault cost one request.</param>
    public async Task<ConnectionSyncOutcome> SyncConnectionAsync(Connection connection, CancellationToken ct, bool fullRead = false)
    {
        if (connection.Status == ConnectionStatus.ReconnectRequired)
        {
            // The stored credentials were rejected; trying them again would only spend the provider's budget.
            return new ConnectionSyncOutcome(connection, SyncSummary.Empty, connection.LastError
                ?? new ConnectionError(ErrorCodes.InvalidVaultToken, ReconnectMessage, clock.GetUtcNow()), null);
        }

        var waitStarted = clock.GetUtcNow();
        string? holder;
        try
        {
            holder = await leases.WaitAsync(connection.ConnectionId, options.Value.SyncLeaseWait, options.Value.SyncLeaseDuration, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            return BackingServiceFailed(connection, ex);
        }

        if (holder is null)
        {
            return new ConnectionSyncOutcome(connection, SyncSummary.Empty,
                new ConnectionError(ErrorCodes.VaultUnavailable, "Another sync of this connection is still running.", clock.GetUtcNow()), TimeSpan.FromSeconds(10));
        }

        try
        {
            // Re-read under the lease: the connection may have been synced, re-connected or deleted meanwhile.
            var current = await store.GetAsync(connection.AccountId, connection.ConnectionId, ct).ConfigureAwait(false);
            if (current is null)
            {
                return Deleted(connection);
            }

            if (current.LastSyncedAt > waitStarted && current.LastError is null)
            {
                return new ConnectionSyncOutcome(current, SyncSummary.Empty, null, null);
            }

            return await SyncUnderLeaseAsync(current, fullRead, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            return BackingServiceFailed(connection, ex);
        }
        finally
        {
            await leases.ReleaseQuietlyAsync(connection.ConnectionId, holder).ConfigureAwait(false);
        }
    }

    private const string ReconnectMessage = "The provider rejected the stored credentials; connect again with fresh credentials.";

    private async Task<ConnectionSyncOutcome> SyncUnderLeaseAsync(Connection connection, bool fullRead, CancellationToken ct)
    {
        // The cached items are read once, when first needed: by a provider that reads details per item (1Password,
        // to skip unchanged ones) or by the apply. An unchanged vault needs neither.
        Task<List<StoredItem>>? cachedRead = null;
        Task<List<StoredItem>> CachedAsync() => cachedRead ??= applier.LoadCachedAsync(connection.AccountId, connection.ConnectionId, ct);
        VaultSnapshot snapshot;
        try
        {
            // A row of the older layout has no key yet: its items are sealed again below, so they must be read.
            snapshot = await calls.ReadVaultAsync(connection, async _ => SyncEngine.CachedDetails(await CachedAsync().ConfigureAwait(false)),
                mayReportUnchanged: !fullRead && connection.KeyId is not null, ct).ConfigureAwait(false);
        }
        catch (ProviderCallException ex) when (ex.Failure is ProviderFailure.CredentialsRejected or ProviderFailure.SettingsRefused)
        {
            return await RecordFailureAsync(connection, ex.RecordedCode, ex.Message, null, true, ct).ConfigureAwait(false);
        }
        catch (ProviderCallException ex) when (ex.Failure is ProviderFailure.UnsupportedEncryption)
        {
            // The credentials are fine and the cached items stay; the connection stays active so it reads again once
            // this service understands the format.
            logger.LogWarning("Sync of connection {ConnectionId} failed: unsupported vault encryption", connection.ConnectionId);
            return await RecordFailureAsync(connection, ErrorCodes.UnsupportedVaultEncryption, ex.Message, null, false, ct).ConfigureAwait(false);
        }
        catch (ProviderCallException ex) when (ex.Failure is ProviderFailure.TooLarge)
        {
            // As for an unsupported format: the cache stays and so does the connection; the error names the limit.
            logger.LogWarning("Sync of connection {ConnectionId} failed: the provider's answer is over a limit", connection.ConnectionId);
            return await RecordFailureAsync(connection, ErrorCodes.VaultTooLarge, ex.Message, null, false, ct).ConfigureAwait(false);
        }
        catch (ProviderCallException ex) when (ex.Failure is ProviderFailure.ProviderUnavailable)
        {
            logger.LogWarning("Sync of connection {ConnectionId} failed: provider unavailable", connection.ConnectionId);
            return await RecordFailureAsync(connection, ErrorCodes.VaultUnavailable,
                "The vault provider is unavailable or returned an error; a later sync will retry.", ex.RetryAfter, false, ct).ConfigureAwait(false);
        }
        catch (ProviderCallException ex)
        {
            return BackingServiceFailed(connection, ex, ex.RetryAfter);
        }

        // The read took a while: a connection deleted meanwhile gets nothing written.
        if (await store.GetAsync(connection.AccountId, connection.ConnectionId, ct).ConfigureAwait(false) is not { } current)
        {
            return Deleted(connection);
        }

        // A warm instance has the key cached: no Key Vault call. A row of the older layout gets its own key here, once.
        var key = current.KeyId is { } keyId
            ? await keys.GetAsync(current.ConnectionId, keyId, ct).ConfigureAwait(false)
            : await keys.CreateAsync(current.ConnectionId, ct).ConfigureAwait(false);
        // Sealed again only when there is something new to seal, or a key that never held them.
        var credentials = snapshot.RefreshedSecret ?? (current.KeyId is null ? await calls.ReadCredentialsAsync(current, ct).ConfigureAwait(false) : null);
        Connection? saved;
        var summary = SyncSummary.Empty;
        if (snapshot.Unchanged)
        {
            saved = await applier.RecordUnchangedAsync(current, key, credentials, ct).ConfigureAwait(false);
        }
        else
        {
            var applied = await applier.ApplyAsync(current, snapshot, key, await CachedAsync().ConfigureAwait(false), credentials, ct).ConfigureAwait(false);
            (saved, summary) = (applied?.Connection, applied?.Result.Summary ?? SyncSummary.Empty);
        }

        if (saved is null)
        {
            logger.LogInformation("Sync of connection {ConnectionId} lost to its delete; its writes were removed", connection.ConnectionId);
            return Deleted(connection);
        }

        logger.LogInformation("Synced connection {ConnectionId}: {Added} added, {Updated} updated, {Removed} removed", connection.ConnectionId,
            summary.Added, summary.Updated, summary.Removed);
        return new ConnectionSyncOutcome(saved, summary, null, null);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private ConnectionSyncOutcome Deleted(Connection connection) =>
        new(connection, SyncSummary.Empty, new ConnectionError(ErrorCodes.NotFound, "The connection was deleted.", clock.GetUtcNow()), null);

    private ConnectionSyncOutcome BackingServiceFailed(Connection connection, Exception ex, TimeSpan? retryAfter = null)
    {
        logger.LogWarning("Sync of connection {ConnectionId} failed: backing service {ErrorType}", connection.ConnectionId, ex.GetType().Name);
        return new ConnectionSyncOutcome(connection, SyncSummary.Empty,
            new ConnectionError(ErrorCodes.VaultUnavailable, "A backing service failed; a later sync will retry.", clock.GetUtcNow()),
            retryAfter ?? StorageFailures.RetryAfterOf(ex));
    }

    private async Task<ConnectionSyncOutcome> RecordFailureAsync(
        Connection connection, string code, string message, TimeSpan? retryAfter, bool reconnect, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var error = new ConnectionError(code, message, now);
        // A connection that keeps failing backs off instead of spending its provider budget on every timer tick.
        var failures = connection.FailureCount + 1;
        var updated = connection with
        {
            Status = reconnect ? ConnectionStatus.ReconnectRequired : connection.Status,
            LastError = error,
            FailureCount = failures,
            RetryAt = now + Max(Connection.Backoff(failures, options.Value.ResyncInterval), retryAfter ?? TimeSpan.Zero),
        };
        try
        {
            // Conditional like every change: if a delete came first, there is nothing to record on.
            if (await store.TryUpdateAsync(updated, ct).ConfigureAwait(false) is { } saved)
            {
                updated = saved;
            }
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            logger.LogWarning("Could not record the sync failure of connection {ConnectionId}", connection.ConnectionId);
        }

        return new ConnectionSyncOutcome(updated, SyncSummary.Empty, error, retryAfter);
    }
}
