using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Errors;
using Vault.Core.Providers.Keeper.Api;
using Vault.Core.Providers.Keeper.Crypto;
using Vault.Core.Providers.Keeper.Records;
using Vault.Core.Providers.Network;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// <c>provider: "keeper"</c>: a Keeper Secrets Manager device reading the records shared with one application, as
/// Keeper's SDK reads them (docs/keeper-protocol.md). A sync is one <c>get_secret</c> request (records, shared folders
/// and their keys in one answer); binding a one-time token is two (the binding, then the confirming read the SDK also
/// sends), and a server key rotation adds one. The device key of a token is kept (<see cref="IPendingBindingStore"/>)
/// before the binding request leaves, so a lost answer does not burn the token. A <c>throttled</c> answer blocks the
/// application's device on this instance for its <c>retry_after</c>: nothing is sent meanwhile.
/// </summary>
public sealed class KeeperProvider : IVaultProvider
{
    public const string ProviderKind = ProviderKinds.Keeper;
    private readonly ProviderHttpClients _clients;
    private readonly NetworkOptions _network;
    private readonly KeeperOptions _options;
    private readonly KeeperServerKeys _serverKeys;
    private readonly IPendingBindingStore _bindings;
    private readonly ILogger<KeeperProvider> _logger;
    private readonly TimeProvider _clock;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _throttledUntil = new(StringComparer.Ordinal);

    public KeeperProvider(ProviderHttpClients clients, IOptions<NetworkOptions> network, IOptions<KeeperOptions> options,
        IPendingBindingStore bindings, ILogger<KeeperProvider> logger, TimeProvider clock)
    {
        _clients = clients;
        _network = network.Value;
        _options = options.Value;
        _serverKeys = KeeperServerKeys.From(_options, _network.AllowPrivateProviderHosts);
        _bindings = bindings;
        _logger = logger;
        _clock = clock;
    }

    public string Kind => ProviderKind;

    /// <summary>Requests the last operation sent (for measurements and tests only: not meaningful under concurrency).</summary>
    internal int LastRequestCount { get; private set; }

    public ProviderCredentials ParseCredentials(ConnectInput input)
    {
        var device = KeeperCredentialInput.Parse(input.Token, _network.AllowPrivateProviderHosts);
        // Re-connect in place is by Keeper's client id: a token and the configuration it became are one identity.
        return new ProviderCredentials(device.ClientId, "https://" + device.Hostname, device.Serialize());
    }

    public async Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var (snapshot, _) = await ReadAsync(context, cancellationToken).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>
    /// A connection deleted before a sync from it removed its token's pending binding: remove it now, so disconnect
    /// leaves nothing of the device behind (it was sealed under the token's key, which the service never keeps).
    /// </summary>
    public async Task ForgetAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        if (KeeperDevice.TryParse(context.Credentials.Secret) is { PendingBinding: true } device)
        {
            await new TokenBinding(_bindings, context.AccountId, device).ForgetQuietlyAsync(_logger, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every sync reads every secret, so this is only a fresh read (1 request) for the one item.</summary>
    public async Task<ProviderItemDetails> ReadItemDetailsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken)
    {
        var (snapshot, _) = await ReadAsync(context, cancellationToken).ConfigureAwait(false);
        var item = snapshot.Items.FirstOrDefault(i => i.VaultId == vaultId && i.ProviderItemId == providerItemId && i.Secrets is not null)
            ?? throw new ProviderUnavailableException("The Keeper record is no longer shared with the application.");
        return new ProviderItemDetails(item.Username, item.Secrets!, null);
    }

    private async Task<(VaultSnapshot Snapshot, KeeperDevice Device)> ReadAsync(ProviderContext context, CancellationToken ct)
    {
        var device = KeeperDevice.TryParse(context.Credentials.Secret)
            ?? throw new ProviderRejectedCredentialsException("The stored Keeper configuration is unreadable.");
        if (_throttledUntil.TryGetValue(device.ClientId, out var until))
        {
            if (until > _clock.GetUtcNow())
            {
                throw new ProviderUnavailableException("Keeper asked this application to wait before its next request.", until - _clock.GetUtcNow());
            }

            _throttledUntil.TryRemove(device.ClientId, out _);
        }

        using var http = _clients.Create(_network.AllowPrivateProviderHosts ? _options.PrivateCaPem : null);
        var client = new KeeperClient(http, _serverKeys, _clients.Limits);
        var binding = new TokenBinding(_bindings, context.AccountId, device);
        try
        {
            var (answer, bound) = await ReadSecretsAsync(client, binding, ct).ConfigureAwait(false);
            var decryptor = new SecretsDecryptor(KeeperBase64.Decode(bound.AppKey), _clients.Limits);
            var response = await WithFolderNamesAsync(client, bound, decryptor, decryptor.Parse(answer), ct).ConfigureAwait(false);
            var title = decryptor.ApplicationTitle(response) ?? "Keeper Secrets Manager";
            var items = decryptor.Items(response, title);
            bound = bound with { ServerPublicKeyId = client.KeyId.ToString(CultureInfo.InvariantCulture) };
            if (binding.FromStoredConnection && bound.PendingBinding == true && await binding.ForgetQuietlyAsync(_logger, ct).ConfigureAwait(false))
            {
                bound = bound with { PendingBinding = null }; // the connection holds the device now: the pending record goes
            }

            _logger.LogInformation(
                "Keeper read {Items} records ({WithoutUrl} without a URL, not synced; {Folders} shared folders; {Skipped} skipped as undecryptable) for connection {ConnectionId} in {Requests} requests",
                items.Count, items.Count(i => i.Uris.Count == 0), decryptor.FolderCount, decryptor.Skipped, context.ConnectionId, client.Requests);
            var refreshed = bound.Serialize();
            // Resync budgets count by application (its devices share it); Keeper's own throttle stays per device.
            var snapshot = new VaultSnapshot(title, items, refreshed == context.Credentials.Secret ? null : refreshed) { BudgetScope = KeeperApplication.ScopeOf(bound) };
            return (snapshot, bound);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (ex is KeeperApiException { IsRefusal: true } or ProviderRejectedCredentialsException)
            {
                await binding.DiscardQuietlyAsync(_logger).ConfigureAwait(false); // a refused token's key is of no further use
            }

            var translated = Translate(ex, device);
            _logger.LogWarning("Keeper read for connection {ConnectionId} failed after {Requests} requests: {Reason}",
                context.ConnectionId, client.Requests, translated?.Message ?? ex.GetType().Name);
            if (translated is null)
            {
                throw;
            }

            throw translated;
        }
        finally
        {
            LastRequestCount = client.Requests;
        }
    }

    /// <summary>
    /// The answer of one <c>get_secret</c> for a bound device; for a token, the binding first (with the device's public
    /// key), then the read without it, as the SDK does right after binding. That second read confirms the binding to the
    /// server; if only it fails, the binding's own answer is used.
    /// </summary>
    private async Task<(byte[] Answer, KeeperDevice Device)> ReadSecretsAsync(KeeperClient client, TokenBinding binding, CancellationToken ct)
    {
        var device = await binding.PrepareAsync(ct).ConfigureAwait(false);
        if (device.IsBound)
        {
            return (await GetSecretAsync(client, device, withPublicKey: false, ct).ConfigureAwait(false), device);
        }

        var first = await GetSecretAsync(client, device, withPublicKey: true, ct).ConfigureAwait(false);
        var response = new SecretsDecryptor(new byte[32], _clients.Limits).Parse(first);
        if (response.EncryptedAppKey is null)
        {
            throw new ProviderRejectedCredentialsException("Keeper did not bind the one-time token (it may have been used already).");
        }

        byte[] appKey;
        try
        {
            appKey = KeeperCrypto.Decrypt(KeeperBase64.Decode(response.EncryptedAppKey), KeeperBase64.Decode(device.ClientKey), "the application key");
        }
        catch (KeeperCryptoException ex)
        {
            throw new ProviderRejectedCredentialsException("The one-time token's key does not open the application key Keeper returned.", ex);
        }

        device = device with
        {
            AppKey = KeeperBase64.Encode(appKey),
            ClientKey = null,
            AppOwnerPublicKey = response.AppOwnerPublicKey,
            ServerPublicKeyId = client.KeyId.ToString(CultureInfo.InvariantCulture),
        };
        await binding.RecordBoundAsync(device, _logger, ct).ConfigureAwait(false);
        try
        {
            return (await GetSecretAsync(client, device, withPublicKey: false, ct).ConfigureAwait(false), device);
        }
        catch (Exception ex) when (ex is KeeperApiException or ProviderUnavailableException or KeeperCryptoException)
        {
            _logger.LogWarning("Keeper's read after binding failed ({ErrorType}); the binding's own answer is used", ex.GetType().Name);
            return (first, device);
        }
    }

    /// <summary>
    /// Shared folders' names come with <c>get_secret</c> (as <c>get_folders</c> carries them). A server that leaves them
    /// out is asked <c>get_folders</c> once more, in the same request set; if that fails the folders keep a fixed name.
    /// </summary>
    private async Task<SecretsResponse> WithFolderNamesAsync(KeeperClient client, KeeperDevice device, SecretsDecryptor decryptor, SecretsResponse response, CancellationToken ct)
    {
        if (response.Folders is not { Count: > 0 } folders || folders.All(f => f.Data is not null))
        {
            return response;
        }

        try
        {
            var named = decryptor.Parse(await GetSecretAsync(client, device, withPublicKey: false, ct, "get_folders").ConfigureAwait(false)).Folders ?? [];
            var data = named.Where(f => f.FolderUid is not null && f.Data is not null).GroupBy(f => f.FolderUid!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First().Data, StringComparer.Ordinal);
            return response with
            {
                Folders = [.. folders.Select(f => f.Data is null && f.FolderUid is not null && data.TryGetValue(f.FolderUid, out var d) ? f with { Data = d } : f)],
            };
        }
        catch (Exception ex) when (ex is KeeperApiException { IsThrottled: false } or ProviderUnavailableException or KeeperCryptoException)
        {
            _logger.LogWarning("Keeper's folder list could not be read ({ErrorType}); shared folders keep a fixed name", ex.GetType().Name);
            return response;
        }
    }

    private async Task<byte[]> GetSecretAsync(KeeperClient client, KeeperDevice device, bool withPublicKey, CancellationToken ct, string endpoint = "get_secret")
    {
        var privateKey = KeeperBase64.Decode(device.PrivateKey);
        var payload = new GetSecretPayload
        {
            ClientVersion = KeeperClient.ClientVersion,
            ClientId = device.ClientId,
            PublicKey = withPublicKey ? KeeperBase64.Encode(KeeperCrypto.PublicPointOf(privateKey)) : null,
        };
        var keyId = int.TryParse(device.ServerPublicKeyId, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && _serverKeys.Get(id) is not null
            ? id
            : _serverKeys.DefaultId;
        try
        {
            return await client.PostAsync(device.Hostname, endpoint, keyId, privateKey, payload, ct).ConfigureAwait(false);
        }
        catch (KeeperApiException ex) when (ex.IsThrottled)
        {
            _throttledUntil[device.ClientId] = _clock.GetUtcNow() + ex.RetryAfter!.Value;
            throw;
        }
    }

    /// <summary>Internal failures to the seam's exceptions: refusals are rejected credentials, the rest unavailability.</summary>
    private static Exception? Translate(Exception ex, KeeperDevice device) => ex switch
    {
        ProviderUnavailableException or ProviderRejectedCredentialsException or InvalidCommandException or ProviderResponseTooLargeException => null,
        KeeperApiException { IsThrottled: true } t => new ProviderUnavailableException("Keeper is throttling this application; try again later.", t.RetryAfter),
        KeeperApiException { IsRefusal: true } r => new ProviderRejectedCredentialsException(
            $"Keeper refused the device ({r.Message}).", r,
            device.IsBound ? "Keeper refused this application's device (revoked, or its access removed); connect again with a new one-time token." : null),
        KeeperApiException a => new ProviderUnavailableException(a.Message),
        KeeperCryptoException c => new ProviderUnavailableException("Keeper answered something the client could not decrypt: " + c.Message),
        System.Text.Json.JsonException => new ProviderUnavailableException("Keeper answered JSON the client could not read."),
        _ => ProviderHttpErrors.Translate(ex, nameof(ConnectInput.Token)),
    };
}
