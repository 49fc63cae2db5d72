using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>Where a run's credential read gets an item's secrets from.</summary>
public interface IItemSecretsSource
{
    /// <summary>
    /// The item's username and secrets: from the encrypted cache when its details are cached (no provider request), else
    /// read live from the provider and then cached. Provider failures are a 503 <c>VAULT_UNAVAILABLE</c>.
    /// </summary>
    Task<ItemCredential> GetAsync(string accountId, StoredItem stored, CancellationToken ct);
}
