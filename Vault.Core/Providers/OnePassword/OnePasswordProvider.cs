using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Domains;
using Vault.Core.Errors;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword.Api;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Items;
using Vault.Core.Providers.OnePassword.Token;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.OnePassword;

/// <summary>
/// <c>provider: "1password"</c>: signs in with a service account token and reads the vaults it can see, the way the
/// official SDK does (docs/onepassword-protocol.md). A sync lists every login from its overview (4 sign-in requests + vault list +
/// keysets + one overview list per vault; only the vault list and the overviews while a kept session is alive, see
/// <see cref="OnePasswordOptions.SessionIdleTime"/>), then reads the details (username, password, one-time password) of
/// the items the cache does not hold at their listed version, oldest first, as many as the service account's hourly
/// <see cref="ReadBudget"/> allows; the rest wait for a later sync, or for a run that reads one live
/// (<see cref="ReadItemDetailsAsync"/>: 1 request in a kept session, 7 after a new sign-in). Nothing is retried.
/// </summary>
public sealed class OnePasswordProvider : IVaultProvider
{
    public const string ProviderKind = ProviderKinds.OnePassword;
    private readonly ProviderHttpClients _clients;
    private readonly NetworkOptions _network;
    private readonly OnePasswordOptions _options;
    private readonly ILogger<OnePasswordProvider> _logger;
    private readonly TimeProvider _clock;
    private readonly SessionCache _sessions;
    private readonly ReadBudget _budget;

    /// <summary>How long to leave a service account alone after a 429 that did not say (Retry-After missing).</summary>
    internal static readonly TimeSpan DefaultThrottleWait = TimeSpan.FromMinutes(1);

    public OnePasswordProvider(ProviderHttpClients clients, IOptions<NetworkOptions> network, IOptions<OnePasswordOptions> options,
        ReadBudget budget, ILogger<OnePasswordProvider> logger, TimeProvider clock)
    {
        _budget = budget;
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
            throw new InvalidCommandException(nameof(ConnectInput.Token), "its sign-in address must be a 1Password domain (1password.com, 1password.ca or 1password.eu).", InputProblemKind.NotAllowed);
        }

        return new ProviderCredentials(token.Identity, token.BaseUri.GetLeftPart(UriPartial.Authority), input.Token!.Trim());
    }

    public Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken) =>
        RunAsync(context, "sync", _budget.KeptForRuns, async (session, keychain, budget, ct) =>
        {
            var reader = new AccountReader(session, keychain);
            var stored = StoredSecret.Parse(context.Credentials.Secret);
            var vaults = await reader.ListVaultsAsync(ct).ConfigureAwait(false);
            var vaultsVersion = AccountReader.VersionOf(vaults);
            if (context.MayReportUnchanged && vaultsVersion is not null && vaultsVersion == stored.VaultsVersion)
            {
                _logger.LogInformation("1Password vaults unchanged since the last complete read ({Vaults} vaults)", vaults.Count);
                return VaultSnapshot.NoChange(null);
            }

            var listing = await reader.ListLoginsAsync(vaults, ct).ConfigureAwait(false);
            var cached = context.CachedDetails is { } readCached ? await readCached(ct).ConfigureAwait(false) : null;
            // Only items the cache keeps (those with a website) are worth a details request.
            var needed = listing.Items
                .Where(i => i.Uris.Any(u => WebsiteAddress.TryParse(u.Uri, out _)))
                .Where(i => cached is null || !cached.TryGetValue(ProviderContext.DetailsKey(i.VaultId, i.ProviderItemId), out var version) || version != i.Version)
                .OrderBy(i => i.UpdatedAt ?? DateTimeOffset.MinValue).ThenBy(i => i.VaultId, StringComparer.Ordinal).ThenBy(i => i.ProviderItemId, StringComparer.Ordinal)
                .ToList();
            // Details leave the runs' share and room for two more listings this hour (a manual sync after a big connect).
            var keep = _budget.KeptForRuns + (2 * budget.Sent);
            var granted = needed.Count == 0 ? 0 : (await budget.TakeAsync(needed.Count, keep, ct).ConfigureAwait(false)).Granted;
            var read = await reader.ReadDetailsAsync(needed.Take(granted), ct).ConfigureAwait(false);
            if (read.StoppedBy is OnePasswordThrottledException throttled)
            {
                budget.BlockUntil = _clock.GetUtcNow() + (throttled.RetryAfter ?? DefaultThrottleWait);
            }

            var items = listing.Items.Select(i => read.Details.TryGetValue(ProviderContext.DetailsKey(i.VaultId, i.ProviderItemId), out var details)
                ? ItemMapper.WithDetails(i, details)
                : i).ToList();
            _logger.LogInformation(
                "1Password read {Items} login items from {Vaults} vaults; details of {Read} of the {Needed} not cached ({Granted} within the hour's budget{Stop})",
                items.Count, listing.VaultCount, read.Details.Count, needed.Count, granted,
                read.StoppedBy is null ? "" : "; stopped early: " + read.StoppedBy.GetType().Name);
            // The version is kept only when nothing was left unread: otherwise the next resync must read on.
            var complete = read.Details.Count == needed.Count;
            var refreshed = (stored with { VaultsVersion = complete ? vaultsVersion : null }).Serialize();
            return new VaultSnapshot(TokenOf(context).Email, items, refreshed == context.Credentials.Secret ? null : refreshed);
        }, cancellationToken);

    public Task<ProviderItemDetails> ReadItemDetailsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken) =>
        RunAsync(context, "item read", 0, (session, keychain, _, ct) => new AccountReader(session, keychain).ReadItemAsync(vaultId, providerItemId, ct),
            cancellationToken);

    private ServiceAccountToken TokenOf(ProviderContext context)
    {
        ServiceAccountToken token;
        try
        {
            token = ServiceAccountToken.Parse(StoredSecret.Parse(context.Credentials.Secret).Token);
        }
        catch (InvalidCommandException)
        {
            throw new ProviderRejectedCredentialsException("The stored 1Password token is not a valid service account token.");
        }

        if (!SignInAddress.IsAllowed(token.SignInAddress, _network.AllowPrivateProviderHosts))
        {
            throw new ProviderRejectedCredentialsException("The stored 1Password token's sign-in address is not a 1Password domain.");
        }

        return token;
    }

    /// <summary>
    /// Runs one operation in the token's kept session (or a new sign-in), within the service account's hourly budget:
    /// nothing is sent while a 429's wait lasts or when the hour has nothing left beyond <paramref name="keep"/>; what was
    /// sent is counted in the end, and a 429 makes the service account wait its Retry-After before anything is sent again.
    /// </summary>
    private async Task<T> RunAsync<T>(ProviderContext context, string operation, int keep,
        Func<OnePasswordSession, Keychain, OperationBudget, CancellationToken, Task<T>> work, CancellationToken ct)
    {
        var token = TokenOf(context);
        // Keyed by the token alone: the versions stored beside it change without making it another sign-in.
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(StoredSecret.Parse(context.Credentials.Secret).Token)));
        var entry = _sessions.Acquire(key, () => new SignedInAccount(() => NewSession(token), token));
        await entry.Gate.WaitAsync(ct).ConfigureAwait(false);
        var before = entry.TotalRequests;
        var budget = new OperationBudget(_budget, ReadBudget.KeyOf(context.AccountId + "|" + token.Identity), () => entry.TotalRequests - before);
        var refused = false;
        try
        {
            var first = await budget.TakeAsync(1, keep, ct).ConfigureAwait(false);
            if (first.Granted == 0)
            {
                refused = true; // nothing sent: the kept session stays as it is
                var wait = first.NextAt - _clock.GetUtcNow();
                _logger.LogWarning("1Password {Operation} for connection {ConnectionId} not sent: the service account's budget is spent or 1Password asked to wait",
                    operation, context.ConnectionId);
                throw new ProviderUnavailableException("The 1Password service account's request budget is spent for now, or 1Password asked to wait.",
                    wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1));
            }

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

                result = await work(entry.Session, entry.Keychain, budget, ct).ConfigureAwait(false);
            }
            catch (OnePasswordAuthException auth) when (reused && auth.Status == 401)
            {
                // The kept session expired on the server: sign in again once and repeat, as the SDK does.
                _logger.LogInformation("1Password session for connection {ConnectionId} expired; signing in again", context.ConnectionId);
                entry.Reset();
                entry.UserUuid = await SignIn.RunAsync(entry.Session, token, entry.UserUuid, ct).ConfigureAwait(false);
                entry.SignedIn = true;
                result = await work(entry.Session, entry.Keychain, budget, ct).ConfigureAwait(false);
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
        catch (Exception ex) when (!refused)
        {
            if (ex is OnePasswordThrottledException throttled)
            {
                budget.BlockUntil = _clock.GetUtcNow() + (throttled.RetryAfter ?? DefaultThrottleWait);
            }

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
            try
            {
                await budget.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (_budget.IsStoreFailure(ex) || ex is TimeoutException)
            {
                _logger.LogWarning("1Password {Operation}: its {Requests} requests could not be counted in the budget ({ErrorType})",
                    operation, entry.TotalRequests - before, ex.GetType().Name);
            }
            finally
            {
                entry.Gate.Release();
            }
        }
    }

    private OnePasswordSession NewSession(ServiceAccountToken token) =>
        new(_clients.Create(_network.AllowPrivateProviderHosts ? _options.PrivateCaPem : null), token,
            new ThrottlingToken(token.ThrottleSeed, token.ThrottleKeyId, _clock), _logger, _clients.Limits);

    /// <summary>
    /// Maps internal failures to the seam's exceptions. 401 anywhere (every operation signs in fresh, so it is never a
    /// stale session) and 403 at the sign-in lookup mean the token is refused; a token whose unlock key does not open the
    /// account is refused too. Everything else (403 on data, 404, 5xx, malformed or unverifiable answers) is the
    /// provider being unavailable. Nothing is retried.
    /// </summary>
    private static Exception? Translate(Exception ex, bool beforeSession) => ex switch
    {
        ProviderUnavailableException or ProviderRejectedCredentialsException or InvalidCommandException or ProviderResponseTooLargeException => null,
        OnePasswordThrottledException throttled => new ProviderUnavailableException(
            "1Password is rate limiting this service account; try again later.", throttled.RetryAfter ?? DefaultThrottleWait),
        OnePasswordAuthException { Status: 401 } => new ProviderRejectedCredentialsException("1Password rejected the service account token."),
        OnePasswordAuthException when beforeSession => new ProviderRejectedCredentialsException("1Password rejected the service account token."),
        OnePasswordAuthException => new ProviderUnavailableException("1Password refused access to the vault data (403)."),
        OnePasswordKeyMaterialException => new ProviderRejectedCredentialsException("The service account token's key does not unlock the 1Password account."),
        OnePasswordNotFoundException or OnePasswordProtocolException or OnePasswordCryptoException =>
            new ProviderUnavailableException($"1Password answered something the client could not use: {ex.Message}"),
        _ => null,
    };
}
