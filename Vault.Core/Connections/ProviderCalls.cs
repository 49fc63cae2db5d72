using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Vault.Core.Errors;
using Vault.Core.Providers;
using Vault.Core.Storage;
using Vault.Core.Snapshots;

namespace Vault.Core.Connections;

/// <summary>Why a provider call failed, whatever the provider or the stage.</summary>
public enum ProviderFailure
{
    /// <summary>The provider refused the credentials (or they, or the connection's key, are gone).</summary>
    CredentialsRejected,

    /// <summary>The provider failed, timed out or throttled us.</summary>
    ProviderUnavailable,

    /// <summary>The stored settings are refused before any call (e.g. a server that now resolves to a private address).</summary>
    SettingsRefused,

    /// <summary>The vault uses an encryption format this service cannot read yet (the credentials are fine).</summary>
    UnsupportedEncryption,

    /// <summary>Key Vault (or the local secret store) failed.</summary>
    BackingServiceFailed,

    /// <summary>The provider's answer is over one of the service's limits (size, items, depth).</summary>
    TooLarge,
}

/// <summary>A provider call failed; carries the contract's answer for the stage it failed in.</summary>
public sealed class ProviderCallException(ProviderFailure failure, string code, string message, TimeSpan? retryAfter)
    : ApiException(code, message)
{
    public ProviderFailure Failure { get; } = failure;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>The code a sync records on the connection (its <c>lastError</c>): what a re-connect would have answered.</summary>
    public string RecordedCode { get; init; } = failure == ProviderFailure.CredentialsRejected ? ErrorCodes.InvalidVaultToken : code;
}

/// <summary>
/// The one place a provider is called: stored secret → provider context → call → error translation. Connect, sync,
/// resync and the run credential route all come through here, so a failure means the same everywhere.
/// </summary>
public sealed class ProviderCalls(
    ProviderRegistry providers, ConnectionKeys keys, ISecretStore secrets, Microsoft.Extensions.Options.IOptions<ProviderLimits> limits, ILogger<ProviderCalls> logger)
{
    private const string RejectedStoredMessage = "The provider rejected the stored credentials; connect again with fresh credentials.";

    /// <summary>Connect: credentials the user just gave (not stored yet). A rejection is 400 <c>INVALID_VAULT_TOKEN</c>.</summary>
    public Task<VaultSnapshot> ReadVaultWithNewCredentialsAsync(IVaultProvider provider, ProviderContext context, CancellationToken ct) =>
        InvokeAsync(async () => WithinLimits(await provider.ReadVaultAsync(context, ct).ConfigureAwait(false)), connecting: true);

    /// <summary>
    /// Sync and resync: the stored connection's vault. <paramref name="cachedDetails"/> (read on demand: item id →
    /// version of the cached details) lets a provider that reads details per item skip the unchanged ones;
    /// <paramref name="mayReportUnchanged"/> lets it answer "unchanged" without a download.
    /// </summary>
    public async Task<VaultSnapshot> ReadVaultAsync(
        Connection connection, Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>> cachedDetails, bool mayReportUnchanged, CancellationToken ct)
    {
        var (provider, context) = await OpenAsync(connection, ct).ConfigureAwait(false);
        context = context with { CachedDetails = cachedDetails, MayReportUnchanged = mayReportUnchanged };
        return await InvokeAsync(async () => WithinLimits(await provider.ReadVaultAsync(context, ct).ConfigureAwait(false), mayReportUnchanged), connecting: false).ConfigureAwait(false);
    }

    /// <summary>The item and URI caps, whatever the provider (each provider also stops its own reads early).</summary>
    private VaultSnapshot WithinLimits(VaultSnapshot snapshot, bool mayReportUnchanged = false)
    {
        if (snapshot.Unchanged && !mayReportUnchanged)
        {
            throw new ProviderUnavailableException("The provider reported an unchanged vault where a full read was needed.");
        }

        if (snapshot.Items.Count > limits.Value.MaxItems)
        {
            throw new ProviderResponseTooLargeException($"more than {limits.Value.MaxItems} items");
        }

        if (snapshot.Items.Any(i => i.Uris.Count > limits.Value.MaxUrisPerItem))
        {
            throw new ProviderResponseTooLargeException($"an item with more than {limits.Value.MaxUrisPerItem} URIs");
        }

        return snapshot;
    }

    /// <summary>Runs: one item's details, live, when a provider budget has not let a sync cache them yet.</summary>
    public async Task<ProviderItemDetails> ReadItemDetailsAsync(Connection connection, string vaultId, string providerItemId, CancellationToken ct)
    {
        var (provider, context) = await OpenAsync(connection, ct).ConfigureAwait(false);
        return await InvokeAsync(() => provider.ReadItemDetailsAsync(context, vaultId, providerItemId, ct), connecting: false).ConfigureAwait(false);
    }

    /// <summary>
    /// Before a delete removes the connection's key: lets the provider remove what it keeps for the connection elsewhere.
    /// Best effort, and it never blocks the delete: what a provider keeps so is sealed under a key the connection never held.
    /// </summary>
    public async Task ForgetAsync(Connection connection, CancellationToken ct)
    {
        try
        {
            var (provider, context) = await OpenAsync(connection, ct).ConfigureAwait(false);
            await provider.ForgetAsync(context, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            logger.LogWarning("The provider's own records of connection {ConnectionId} could not be removed ({ErrorType})", connection.ConnectionId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// The connection's provider credentials as stored: opened from the row under the connection's key, or for a row of
    /// the older layout read from its own secret. A key or secret that is gone means only a re-connect helps.
    /// </summary>
    public async Task<string> ReadCredentialsAsync(Connection connection, CancellationToken ct)
    {
        try
        {
            if (connection is { KeyId: { } keyId, SealedCredentials: { } sealedCredentials })
            {
                var key = await keys.GetAsync(connection.ConnectionId, keyId, ct).ConfigureAwait(false);
                return Encoding.UTF8.GetString(KeyedSeal.Open(key, sealedCredentials, CredentialsAad(connection.AccountId, connection.ConnectionId)));
            }

            return await secrets.GetAsync(LegacyAccountKeys.CredentialsSecretName(connection.ConnectionId), ct).ConfigureAwait(false)
                ?? throw new ConnectionKeyMissingException(connection.ConnectionId);
        }
        catch (ConnectionKeyMissingException)
        {
            throw new ProviderCallException(ProviderFailure.CredentialsRejected, ErrorCodes.VaultUnavailable,
                "The stored credentials are gone (the connection's key no longer exists); connect again.", null);
        }
        catch (CryptographicException)
        {
            logger.LogError("Stored credentials of connection {ConnectionId} failed authentication (altered row, or the wrong key)", connection.ConnectionId);
            var error = ApiErrors.VaultUnavailable("The stored credentials could not be read (they failed their integrity check); retry later or connect again.");
            throw new ProviderCallException(ProviderFailure.BackingServiceFailed, error.Code, error.Message, null);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            throw BackingServiceFailed(ex);
        }
    }

    /// <summary>Credentials as the connection row keeps them: sealed under its key, bound to account and connection.</summary>
    public static byte[] SealCredentials(ConnectionKey key, string accountId, string secret) =>
        KeyedSeal.Seal(key, Encoding.UTF8.GetBytes(secret), CredentialsAad(accountId, key.ConnectionId));

    /// <summary>Removes the credentials secret of the older layout (a no-op when there is none).</summary>
    public Task DeleteLegacyCredentialsAsync(string connectionId, CancellationToken ct) =>
        secrets.DeleteAsync(LegacyAccountKeys.CredentialsSecretName(connectionId), ct);

    private static string CredentialsAad(string accountId, string connectionId) => $"vault-credentials|{accountId}|{connectionId}";

    private async Task<(IVaultProvider Provider, ProviderContext Context)> OpenAsync(Connection connection, CancellationToken ct)
    {
        var provider = providers.Get(connection.Provider);
        var secret = await ReadCredentialsAsync(connection, ct).ConfigureAwait(false);
        return (provider, new ProviderContext(connection.AccountId, connection.ConnectionId, new ProviderCredentials(string.Empty, connection.ServerUrl, secret)));
    }

    private static async Task<T> InvokeAsync<T>(Func<Task<T>> call, bool connecting)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ProviderRejectedCredentialsException ex)
        {
            throw connecting
                ? new ProviderCallException(ProviderFailure.CredentialsRejected, ErrorCodes.InvalidVaultToken, ApiErrors.InvalidVaultToken().Message, null)
                : new ProviderCallException(ProviderFailure.CredentialsRejected, ErrorCodes.VaultUnavailable,
                    ex.UserMessage ?? RejectedStoredMessage, null);
        }
        catch (UnsupportedVaultEncryptionException ex)
        {
            // The same 400 at every stage: retrying cannot help until this service understands the format.
            var error = ApiErrors.UnsupportedVaultEncryption(ex.Part);
            throw new ProviderCallException(ProviderFailure.UnsupportedEncryption, error.Code, error.Message, null);
        }
        catch (ProviderResponseTooLargeException ex)
        {
            // The same 400 at every stage: retrying cannot help until the vault shrinks or the operator raises the limit.
            var error = ApiErrors.VaultTooLarge(ex.Limit);
            throw new ProviderCallException(ProviderFailure.TooLarge, error.Code, error.Message, null);
        }
        catch (ProviderUnavailableException ex)
        {
            throw Unavailable(ex.RetryAfter);
        }
        catch (ApiException ex) when (!connecting && ex is not ProviderCallException)
        {
            // Stored settings the provider now refuses (e.g. a server that resolves to a private address, a vault format
            // it cannot read). At connect the caller's own input is at fault and its 4xx goes out as is.
            throw new ProviderCallException(ProviderFailure.SettingsRefused, ErrorCodes.VaultUnavailable, ex.Message, null)
            {
                RecordedCode = ex.Code,
            };
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            throw BackingServiceFailed(ex);
        }
    }

    private static ProviderCallException Unavailable(TimeSpan? retryAfter)
    {
        var error = ApiErrors.VaultUnavailable("The vault provider is unavailable or returned an error; retry later.", retryAfter);
        return new ProviderCallException(ProviderFailure.ProviderUnavailable, error.Code, error.Message, retryAfter)
        {
            RetryAfterSeconds = error.RetryAfterSeconds,
        };
    }

    private static ProviderCallException BackingServiceFailed(Exception ex)
    {
        var error = StorageFailures.ToApiException(ex);
        var retryAfter = error.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        return new ProviderCallException(ProviderFailure.BackingServiceFailed, error.Code, error.Message, retryAfter)
        {
            RetryAfterSeconds = error.RetryAfterSeconds,
        };
    }
}
