using Microsoft.Extensions.Logging;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Core.Snapshots;

namespace Vault.Core.Connections.Sync;

/// <summary>
/// Cached secrets first; an item whose details a provider budget deferred is read live once and written back under the
/// id row's ETag, so a sync or delete that came in between wins over the write-back.
/// </summary>
public sealed class ItemSecretsSource(
    ItemStore cache,
    ConnectionStore connections,
    ProviderCalls calls,
    SealedSecretsReader sealedSecrets,
    ConnectionKeys keys,
    ILogger<ItemSecretsSource> logger) : IItemSecretsSource
{
    public async Task<ItemCredential> GetAsync(string accountId, StoredItem stored, CancellationToken ct)
    {
        var item = stored.Item;
        if (stored.SealedSecrets is not null && !item.Data.SecretsLive)
        {
            return new ItemCredential(item.Data.Username,
                await sealedSecrets.OpenAsync(accountId, item.ConnectionId, item.ItemId, stored.SealedSecrets, ct).ConfigureAwait(false));
        }

        var connection = await connections.GetAsync(accountId, item.ConnectionId, ct).ConfigureAwait(false) ?? throw ApiErrors.NotFound("item");
        // ProviderCalls answers in the contract's words (503 with Retry-After, or 400 for an unsupported format).
        var details = await calls.ReadItemDetailsAsync(connection, item.Data.VaultId, item.Data.ProviderItemId, ct).ConfigureAwait(false);
        if (connection.KeyId is not null)
        {
            var key = await keys.GetAsync(connection.ConnectionId, connection.KeyId, ct).ConfigureAwait(false);
            await CacheAsync(accountId, stored, details, key, ct).ConfigureAwait(false);
        }

        return new ItemCredential(details.Username, details.Secrets);
    }

    private async Task CacheAsync(string accountId, StoredItem stored, ProviderItemDetails details, ConnectionKey key, CancellationToken ct)
    {
        var data = stored.Item.Data with
        {
            Username = details.Username,
            HasTotp = details.Secrets.Totp is not null,
            SecretsLive = false,
            Version = details.Version,
        };
        var fingerprint = ItemSecretsCipher.Fingerprint(key, data, details.Version is null ? details.Secrets : null);
        var replacement = new StoredItem(stored.Item with { Data = data }, fingerprint,
            ItemSecretsCipher.Encrypt(key, accountId, stored.Item.ItemId, details.Secrets));
        try
        {
            if (!await cache.TryReplaceAsync(accountId, stored, replacement, ct).ConfigureAwait(false))
            {
                logger.LogInformation("Item {ItemId} changed while its details were read; not caching them", stored.Item.ItemId);
            }
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            // The run still gets its credential; the next read or sync fills the cache.
            logger.LogWarning("Could not cache the details of item {ItemId}: {ErrorType}", stored.Item.ItemId, ex.GetType().Name);
        }
    }
}
