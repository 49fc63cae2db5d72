using Microsoft.Extensions.Logging;
using Vault.Core.Accounts;
using Vault.Core.Common;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Core.Providers;
using Vault.Core.Storage;

namespace Vault.Core.Connections;

public sealed record ConnectResult(Connection Connection, IReadOnlyList<CachedItem> Items, bool Created);

/// <summary>Connect, re-connect in place, list and disconnect password managers.</summary>
public sealed class ConnectionService(
    ProviderRegistry providers,
    ConnectionStore store,
    ItemCache cache,
    SyncEngine engine,
    ISecretStore secrets,
    DataKeys dataKeys,
    SyncLeases leases,
    TimeProvider clock,
    Microsoft.Extensions.Options.IOptions<VaultOptions> options,
    ILogger<ConnectionService> logger)
{
    /// <summary>
    /// Validates the input, logs in and reads the vault, then stores credentials, items and the connection. Credentials
    /// of an existing connection's identity re-connect it in place. If a step after login fails, nothing half-made remains.
    /// </summary>
    public async Task<ConnectResult> ConnectAsync(string accountId, ConnectInput input, CancellationToken ct)
    {
        var provider = providers.Get(input.Provider);
        var credentials = provider.ParseCredentials(input);
        var identityHash = Ids.HashSecret(provider.Kind + "|" + credentials.Identity);

        var existing = (await store.ListAsync(accountId, ct).ConfigureAwait(false)).FirstOrDefault(c => c.IdentityHash == identityHash);
        var connectionId = existing?.ConnectionId ?? Ids.New("conn");
        var slot = existing?.Slot
            ?? await store.TryReserveSlotAsync(accountId, connectionId, ct).ConfigureAwait(false)
            ?? throw ApiErrors.MaxConnections();

        var holder = await leases.WaitAsync(connectionId, options.Value.SyncLeaseWait, options.Value.SyncLeaseDuration, ct).ConfigureAwait(false)
            ?? throw ApiErrors.VaultUnavailable("A sync of this connection is in progress; retry shortly.", TimeSpan.FromSeconds(5));
        var secretWritten = false;
        try
        {
            var cached = await engine.LoadAsync(accountId, connectionId, ct).ConfigureAwait(false);
            var snapshot = await ProviderCalls.ReadForConnectAsync(provider,
                new ProviderContext(accountId, connectionId, credentials) { CachedDetails = SyncEngine.CachedDetails(cached) }, ct).ConfigureAwait(false);
            var secretName = "cred-" + connectionId;
            await secrets.SetAsync(secretName, snapshot.RefreshedSecret ?? credentials.Secret, ct).ConfigureAwait(false);
            secretWritten = true;

            var dataKey = await dataKeys.GetAsync(accountId, ct).ConfigureAwait(false);
            var result = await engine.ApplyAsync(accountId, connectionId, provider.Kind, snapshot, dataKey, ct, cached).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var connection = new Connection(
                accountId, connectionId, provider.Kind, ConnectionStatus.Active, snapshot.Label, credentials.ServerUrl,
                result.ItemCount, result.Vaults, existing?.CreatedAt ?? now, now, null, identityHash, slot);
            await store.SaveAsync(connection, ct).ConfigureAwait(false);

            var items = (await cache.LoadConnectionAsync(accountId, connectionId, ct).ConfigureAwait(false))
                .OrderBy(s => s.SortKey, StringComparer.Ordinal).Select(s => s.Item).ToList();
            logger.LogInformation("Connection {ConnectionId} ({Provider}) {Action} with {ItemCount} items", connectionId, provider.Kind,
                existing is null ? "created" : "re-connected", result.ItemCount);
            return new ConnectResult(connection, items, existing is null);
        }
        catch (Exception ex) when (existing is null)
        {
            await UndoNewConnectionAsync(accountId, connectionId, slot, secretWritten).ConfigureAwait(false);
            throw Translate(ex);
        }
        catch (Exception ex)
        {
            throw Translate(ex);
        }
        finally
        {
            await leases.ReleaseQuietlyAsync(connectionId, holder).ConfigureAwait(false);
        }
    }

    public Task<List<Connection>> ListAsync(string accountId, CancellationToken ct) => store.ListAsync(accountId, ct);

    /// <summary>Removes the stored credentials, every cached item and the connection. Runs lose access with the items.</summary>
    public async Task DeleteAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var connection = await store.GetAsync(accountId, connectionId, ct).ConfigureAwait(false) ?? throw ApiErrors.NotFound("connection");
        await secrets.DeleteAsync(connection.SecretName, ct).ConfigureAwait(false);
        var items = await cache.LoadConnectionAsync(accountId, connectionId, ct).ConfigureAwait(false);
        await cache.WriteAsync(accountId, [], items.SelectMany(ItemCache.RowKeysOf).ToList(), ct).ConfigureAwait(false);
        await store.DeleteAsync(connection, ct).ConfigureAwait(false);
        logger.LogInformation("Connection {ConnectionId} deleted with {ItemCount} items", connectionId, items.Count);
    }

    private async Task UndoNewConnectionAsync(string accountId, string connectionId, int slot, bool secretWritten)
    {
        // Best effort with a fresh token: the caller may have gone, the clean-up must still run.
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var items = await cache.LoadConnectionAsync(accountId, connectionId, cts.Token).ConfigureAwait(false);
            await cache.WriteAsync(accountId, [], items.SelectMany(ItemCache.RowKeysOf).ToList(), cts.Token).ConfigureAwait(false);
            if (secretWritten)
            {
                await secrets.DeleteAsync("cred-" + connectionId, cts.Token).ConfigureAwait(false);
            }

            await store.ReleaseSlotAsync(accountId, slot, cts.Token).ConfigureAwait(false);
        }
        catch (Exception cleanup)
        {
            logger.LogError("Clean-up of failed connection {ConnectionId} was incomplete: {ErrorType}", connectionId, cleanup.GetType().Name);
        }
    }

    private static Exception Translate(Exception ex) =>
        ex is not ApiException && StorageFailures.IsBackingServiceFailure(ex) ? StorageFailures.ToApiException(ex) : ex;
}
