using Vault.Core.Snapshots;

namespace Vault.Core.Providers;

/// <summary>
/// One password-manager kind ("bitwarden", "1password"). Providers speak the real wire protocol;
/// the sync engine, the cache and the HTTP layer know nothing of it.
/// </summary>
public interface IVaultProvider
{
    /// <summary>The contract's provider name, e.g. <c>bitwarden</c>.</summary>
    string Kind { get; }

    /// <summary>
    /// Validates the connect input without any network call and turns it into stored credentials.
    /// Throws <see cref="Vault.Core.Errors.InvalidCommandException"/> naming the offending <see cref="ConnectInput"/> property.
    /// </summary>
    ProviderCredentials ParseCredentials(ConnectInput input);

    /// <summary>
    /// Logs in with the stored credentials and reads the vault's login items. An item's <see cref="ProviderItem.Secrets"/>
    /// are null when the provider did not read its details in this sync (see <see cref="ProviderContext.CachedDetails"/>).
    /// Throws <see cref="ProviderRejectedCredentialsException"/> when the provider refuses the credentials
    /// (or the master password does not decrypt the vault) and <see cref="ProviderUnavailableException"/>
    /// on provider failures, timeouts, throttling and malformed answers.
    /// </summary>
    Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken);

    /// <summary>
    /// Reads one item's details live, for an item whose details the last sync did not read (its
    /// <see cref="ProviderItem.Secrets"/> were null). Same exceptions as <see cref="ReadVaultAsync"/>.
    /// </summary>
    Task<ProviderItemDetails> ReadItemDetailsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken);

    /// <summary>
    /// The connection is being deleted: remove what the provider keeps for it outside the connection (Keeper: a
    /// one-time token's pending binding). No provider request; most providers keep nothing.
    /// </summary>
    Task ForgetAsync(ProviderContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
