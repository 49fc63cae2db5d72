using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Vault.Core.Errors;
using Vault.Core.Storage;
using Vault.Core.Snapshots;

namespace Vault.Core.Items;

/// <summary>
/// Opens an item's sealed secrets under whichever key they name: their connection's key, or (rows not yet moved) the
/// account's old data key. A key that is gone or a row that fails authentication is 503 <c>VAULT_UNAVAILABLE</c> with
/// one operator error in the log; nothing is deleted.
/// </summary>
public sealed class SealedSecretsReader(ConnectionKeys keys, LegacyAccountKeys legacy, ILogger<SealedSecretsReader> logger)
{
    public async Task<ItemSecrets> OpenAsync(string accountId, string connectionId, string itemId, byte[] sealedValue, CancellationToken ct)
    {
        try
        {
            if (KeyedSeal.KeyIdOf(sealedValue) is { } keyId)
            {
                return ItemSecretsCipher.Decrypt(await keys.GetAsync(connectionId, keyId, ct).ConfigureAwait(false), accountId, itemId, sealedValue);
            }

            var accountKey = await legacy.GetAsync(accountId, ct).ConfigureAwait(false) ?? throw new ConnectionKeyMissingException(connectionId);
            return ItemSecretsCipher.DecryptLegacy(accountKey, accountId, itemId, sealedValue);
        }
        catch (CryptographicException)
        {
            logger.LogError("Sealed secrets of item {ItemId} failed authentication (altered row, or the wrong key)", itemId);
            throw ApiErrors.VaultUnavailable("A stored secret could not be read (it failed its integrity check); sync or connect again.");
        }
    }

    /// <summary>
    /// Reads the keys the given rows are sealed under, so that a secret-store failure happens before anything else
    /// (a run's audit row is written only when the secrets can then be read).
    /// </summary>
    public async Task PrepareAsync(string accountId, IEnumerable<StoredItem> items, CancellationToken ct)
    {
        var needed = items.Where(s => s.SealedSecrets is not null)
            .Select(s => (s.Item.ConnectionId, KeyId: KeyedSeal.KeyIdOf(s.SealedSecrets)))
            .Distinct();
        foreach (var (connectionId, keyId) in needed)
        {
            if (keyId is null)
            {
                _ = await legacy.GetAsync(accountId, ct).ConfigureAwait(false);
            }
            else
            {
                try
                {
                    _ = await keys.GetAsync(connectionId, keyId, ct).ConfigureAwait(false);
                }
                catch (ConnectionKeyMissingException)
                {
                    // Answered for that item when it is opened; the other connection's items still go out.
                }
            }
        }
    }
}
