using Vault.Core.Domains;

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
    /// Throws <see cref="Vault.Core.Errors.InvalidRequestException"/> naming the offending field.
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
}

/// <summary>The raw connect request body, as the contract names its fields.</summary>
public sealed record ConnectInput(
    string Provider,
    string? Token,
    string? ClientId,
    string? ClientSecret,
    string? MasterPassword,
    string? ServerUrl,
    string? Region,
    string? ServerCaCertificate);

/// <summary>
/// What a connection stores. <see cref="Identity"/> decides re-connect in place (same identity, same connection);
/// it is not secret but is compared only, never shown. <see cref="Secret"/> goes to the secret store only.
/// </summary>
public sealed record ProviderCredentials(string Identity, string? ServerUrl, string Secret)
{
    /// <summary>Never shows <see cref="Secret"/> (a record's generated ToString would).</summary>
    public override string ToString() => $"ProviderCredentials {{ ServerUrl = {ServerUrl}, Secret = *** }}";
}

/// <summary>Everything a provider call needs for one connection.</summary>
public sealed record ProviderContext(string AccountId, string ConnectionId, ProviderCredentials Credentials)
{
    /// <summary>
    /// Items whose details (username, secrets) the cache holds, by <see cref="DetailsKey"/>, with the
    /// <see cref="ProviderItem.Version"/> they were read at. A provider that versions its items reads details only for
    /// items missing here or listed at another version.
    /// </summary>
    public IReadOnlyDictionary<string, string>? CachedDetails { get; init; }

    public static string DetailsKey(string vaultId, string providerItemId) => vaultId + "/" + providerItemId;
}

/// <summary>The result of reading a vault.</summary>
/// <param name="Label">Shown as the connection's label (Bitwarden: the account e-mail).</param>
/// <param name="Items">Login items (not trashed/archived) with their URLs; the sync engine keeps those with a website URL.</param>
/// <param name="RefreshedSecret">A new credential payload to store (e.g. a provider session token to reuse), or null.</param>
public sealed record VaultSnapshot(
    string Label,
    IReadOnlyList<ProviderItem> Items,
    string? RefreshedSecret = null);

/// <summary>A login item as the provider reads it.</summary>
/// <param name="Username">From the item's details when <see cref="Secrets"/> are given, else the provider's best listing value.</param>
/// <param name="Secrets">Null when the details were not read in this sync (not needed, or not within the provider's budget).</param>
/// <param name="HasTotp">Whether the details read have a one-time password; false when they were not read.</param>
/// <param name="Version">The provider's item version (1Password <c>itemVersion</c>); null for providers that read everything at once.</param>
public sealed record ProviderItem(
    string VaultId,
    string VaultName,
    string ProviderItemId,
    string Label,
    string? Username,
    IReadOnlyList<ProviderUri> Uris,
    ItemSecrets? Secrets,
    bool HasTotp,
    DateTimeOffset? UpdatedAt,
    string? Version = null);

/// <summary>One item's details read live: the username as the details give it, its secrets, and the version read.</summary>
public sealed record ProviderItemDetails(string? Username, ItemSecrets Secrets, string? Version)
{
    public override string ToString() => $"ProviderItemDetails {{ Version = {Version}, *** }}";
}

/// <summary>One URI of an item, with how the password manager matches it to a site.</summary>
public sealed record ProviderUri(string Uri, UriMatch Match = UriMatch.Default);

/// <summary>An item's secrets. Only ever held in memory, encrypted at rest, shown only on the run-credential route.</summary>
public sealed record ItemSecrets(string? Password, string? Totp)
{
    public override string ToString() => "ItemSecrets { *** }";
}

/// <summary>The provider refused the stored credentials (or the master password does not decrypt the vault).</summary>
/// <param name="userMessage">What to tell the user when it says more than "rejected" (shown as the connection's lastError).</param>
public sealed class ProviderRejectedCredentialsException(string message, Exception? inner = null, string? userMessage = null) : Exception(message, inner)
{
    public string? UserMessage { get; } = userMessage;
}

/// <summary>The provider failed, timed out, throttled us, or answered something we could not read.</summary>
public sealed class ProviderUnavailableException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long the provider asked us to wait (429 Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// The vault uses an encryption format (algorithm, content type, security version, item format) this client does not
/// read yet. The message names the part, never data or key material; the connect answers 400
/// UNSUPPORTED_VAULT_ENCRYPTION and a later sync records it as the connection's last error.
/// </summary>
public sealed class UnsupportedVaultEncryptionException(string part) : Exception($"Not supported yet: {part}.")
{
    /// <summary>What is not understood, e.g. <c>COSE algorithm -70011</c>.</summary>
    public string Part { get; } = part;
}
