using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Errors;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword.Api;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Items;
using Vault.Core.Providers.OnePassword.Token;

namespace Vault.Core.Providers.OnePassword;

/// <summary>
/// <c>provider: "1password"</c>: signs in with a service account token and reads the vaults it can see, the way the
/// official SDK does (ONEPASSWORD.md). A sync costs 4 sign-in requests + vault list + keysets + one overview list per
/// vault (only the vault list and the overviews while a kept session is alive, see
/// <see cref="OnePasswordOptions.SessionIdleTime"/>). Item details are not read at sync (one request per item against
/// a quota as small as 1,000 a day), so secrets are read live per item through <see cref="ReadItemSecretsAsync"/>
/// (7 requests, 1 in a kept session), unless <see cref="OnePasswordOptions.ReadDetailsAtSync"/> is on.
/// </summary>
public sealed class OnePasswordProvider : IVaultProvider
{
    public const string ProviderKind = "1password";
    private readonly ProviderHttpClients _clients;
    private readonly NetworkOptions _network;
    private readonly OnePasswordOptions _options;
    private readonly ILogger<OnePasswordProvider> _logger;
    private readonly TimeProvider _clock;
    private readonly SessionCache _sessions;

    public OnePasswordProvider(ProviderHttpClients clients, IOptions<NetworkOptions> network, IOptions<OnePasswordOptions> options,
        ILogger<OnePasswordProvider> logger, TimeProvider clock)
    {
        _clients = clients;
        _network = network.Value;
        _options = options.Value;
        _logger = logger;
        _clock = clock;
        _sessions = new SessionCache(clock, _options.SessionIdleTime, logger);
    }

    public string Kind => ProviderKind;

    /// <summary>Requests the last operation sent (for measurements and tests only: not meaningful under concurrency).</summary>
    internal int LastRequestCount { get; private set; }

    public ProviderCredentials ParseCredentials(ConnectInput input)
    {
        var token = ServiceAccountToken.Parse(input.Token);
        if (!SignInAddress.IsAllowed(token.SignInAddress, _network.AllowPrivateProviderHosts))
        {
            throw new InvalidRequestException("token", "its sign-in address must be a 1Password domain (1password.com, 1password.ca or 1password.eu).", InputProblemKind.NotAllowed);
        }

        return new ProviderCredentials(token.Identity, token.BaseUri.GetLeftPart(UriPartial.Authority), input.Token!.Trim());
    }

    public Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken) =>
        RunAsync(context, "sync", async (session, keychain, ct) =>
        {
            var reader = new AccountReader(session, keychain);
            var (items, vaultCount) = await reader.ReadLoginsAsync(_options.ReadDetailsAtSync, ct).ConfigureAwait(false);
            _logger.LogInformation("1Password read {Items} login items from {Vaults} vaults", items.Count, vaultCount);
            return new VaultSnapshot(TokenOf(context).Email, items, SecretsIncluded: _options.ReadDetailsAtSync);
        }, cancellationToken);

    public Task<ItemSecrets> ReadItemSecretsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken) =>
        RunAsync(context, "item read", async (session, keychain, ct) =>
        {
            var reader = new AccountReader(session, keychain);
            var (_, secrets) = await reader.ReadItemAsync(vaultId, providerItemId, ct).ConfigureAwait(false);
            return secrets;
        }, cancellationToken);

    /// <summary>Reads one item's details: username (from the details) and secrets. For tests and the SDK comparison.</summary>
    internal Task<(string? Username, ItemSecrets Secrets)> ReadItemDetailsAsync(ProviderContext context, string vaultId, string itemId, CancellationToken ct) =>
        RunAsync(context, "item read", (session, keychain, c) => new AccountReader(session, keychain).ReadItemAsync(vaultId, itemId, c), ct);

    private ServiceAccountToken TokenOf(ProviderContext context)
    {
        ServiceAccountToken token;
        try
        {
            token = ServiceAccountToken.Parse(context.Credentials.Secret);
        }
        catch (InvalidRequestException)
        {
            throw new ProviderRejectedCredentialsException("The stored 1Password token is not a valid service account token.");
        }

        if (!SignInAddress.IsAllowed(token.SignInAddress, _network.AllowPrivateProviderHosts))
        {
            throw new ProviderRejectedCredentialsException("The stored 1Password token's sign-in address is not a 1Password domain.");
        }

        return token;
    }

    private async Task<T> RunAsync<T>(ProviderContext context, string operation,
        Func<OnePasswordSession, Keychain, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var token = TokenOf(context);
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(context.Credentials.Secret)));
        var entry = _sessions.Acquire(key, () => new SignedInAccount(() => NewSession(token), token));
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        var before = entry.TotalRequests;
        try
        {
            if (entry.SignedIn && _clock.GetUtcNow() - entry.LastUsed > _sessions.IdleTime)
            {
                entry.Reset();
            }

            var reused = entry.SignedIn;
            T result;
            try
            {
                if (!entry.SignedIn)
                {
                    entry.UserUuid = await SignIn.RunAsync(entry.Session, token, null, ct).ConfigureAwait(false);
                    entry.SignedIn = true;
                }

                result = await work(entry.Session, entry.Keychain, ct).ConfigureAwait(false);
            }
            catch (OnePasswordAuthException auth) when (reused && auth.Status == 401)
            {
                // The kept session expired on the server: sign in again once and repeat, as the SDK does.
                _logger.LogInformation("1Password session for connection {ConnectionId} expired; signing in again", context.ConnectionId);
                entry.Reset();
                entry.UserUuid = await SignIn.RunAsync(entry.Session, token, entry.UserUuid, ct).ConfigureAwait(false);
                entry.SignedIn = true;
                result = await work(entry.Session, entry.Keychain, ct).ConfigureAwait(false);
            }

            entry.LastUsed = _clock.GetUtcNow();
            _logger.LogInformation("1Password {Operation} for connection {ConnectionId} sent {Requests} requests",
                operation, context.ConnectionId, entry.TotalRequests - before);
            if (_sessions.IdleTime <= TimeSpan.Zero)
            {
                entry.Reset();
            }

            return result;
        }
        catch (Exception ex)
        {
            // After any failure the next call starts from a fresh sign-in.
            var beforeSession = entry.Session.SessionId is null;
            entry.Reset();
            if (Translate(ex, beforeSession) is { } translated)
            {
                _logger.LogWarning("1Password {Operation} for connection {ConnectionId} failed after {Requests} requests: {Reason}",
                    operation, context.ConnectionId, entry.TotalRequests - before, translated.Message);
                throw translated;
            }

            throw;
        }
        finally
        {
            LastRequestCount = entry.TotalRequests - before;
            entry.Gate.Release();
        }
    }

    private OnePasswordSession NewSession(ServiceAccountToken token) =>
        new(_clients.Create(_network.AllowPrivateProviderHosts ? _options.PrivateCaPem : null), token,
            new ThrottlingToken(token.ThrottleSeed, token.ThrottleKeyId, _clock), _logger);

    /// <summary>
    /// Maps internal failures to the seam's exceptions. 401 anywhere (every operation signs in fresh, so it is never a
    /// stale session) and 403 at the sign-in lookup mean the token is refused; a token whose unlock key does not open the
    /// account is refused too. Everything else (403 on data, 404, 5xx, malformed or unverifiable answers) is the
    /// provider being unavailable. Nothing is retried.
    /// </summary>
    private static Exception? Translate(Exception ex, bool beforeSession) => ex switch
    {
        ProviderUnavailableException or ProviderRejectedCredentialsException or InvalidRequestException => null,
        OnePasswordAuthException { Status: 401 } => new ProviderRejectedCredentialsException("1Password rejected the service account token."),
        OnePasswordAuthException when beforeSession => new ProviderRejectedCredentialsException("1Password rejected the service account token."),
        OnePasswordAuthException => new ProviderUnavailableException("1Password refused access to the vault data (403)."),
        OnePasswordKeyMaterialException => new ProviderRejectedCredentialsException("The service account token's key does not unlock the 1Password account."),
        OnePasswordNotFoundException or OnePasswordProtocolException or OnePasswordCryptoException =>
            new ProviderUnavailableException($"1Password answered something the client could not use: {ex.Message}"),
        _ => null,
    };
}
