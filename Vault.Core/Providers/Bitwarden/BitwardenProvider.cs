using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core.Errors;
using Vault.Core.Providers.Bitwarden.Api;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Core.Providers.Network;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// Bitwarden through its real HTTP API: API-key login (kept for the token's lifetime), <c>/sync</c>, and client-side
/// decryption of the vault. Secrets are returned with the items (one request reads everything).
/// </summary>
public sealed partial class BitwardenProvider(ProviderHttpClients http, KeyDerivationGate derivations, TimeProvider clock, ILogger<BitwardenProvider> logger)
    : IVaultProvider
{
    private const int MaxSecretLength = 1024;
    private static readonly TimeSpan TokenSafetyMargin = TimeSpan.FromMinutes(2);

    public string Kind => ProviderKinds.Bitwarden;

    public ProviderCredentials ParseCredentials(ConnectInput input)
    {
        // Every problem of the three credential fields at once, so a form can mark them all.
        var problems = new List<CommandProblem>();
        var clientId = input.ClientId?.Trim();
        if (string.IsNullOrEmpty(clientId))
        {
            problems.Add(new CommandProblem(nameof(ConnectInput.ClientId), InputProblemKind.Required, "is required (user.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)."));
        }
        else if (!ClientIdPattern().IsMatch(clientId))
        {
            problems.Add(new CommandProblem(nameof(ConnectInput.ClientId), InputProblemKind.InvalidFormat, "must have the form user.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx."));
        }

        Require(problems, nameof(ConnectInput.ClientSecret), input.ClientSecret);
        Require(problems, nameof(ConnectInput.MasterPassword), input.MasterPassword);
        if (problems.Count > 0)
        {
            throw new InvalidCommandException(problems);
        }
        var region = input.Region?.Trim().ToLowerInvariant();
        if (region is not (null or "us" or "eu"))
        {
            throw new InvalidCommandException(nameof(ConnectInput.Region), "must be \"us\" or \"eu\".", InputProblemKind.NotAllowed);
        }

        string? server = null;
        if (input.ServerUrl is not null)
        {
            if (region is not null)
            {
                throw new InvalidCommandException(nameof(ConnectInput.Region), "cannot be combined with serverUrl.", InputProblemKind.NotAllowed);
            }

            server = ProviderEndpoint.ParseBaseUrl(nameof(ConnectInput.ServerUrl), input.ServerUrl, http.AllowPrivateHosts).ToString().TrimEnd('/');
        }

        if (input.ServerCaCertificate is not null)
        {
            ValidateCa(input.ServerCaCertificate, server);
        }

        var endpoints = BitwardenEndpoints.For(server, region);
        var secret = new BitwardenSecret
        {
            ClientId = clientId!.ToLowerInvariant(),
            ClientSecret = input.ClientSecret!,
            MasterPassword = input.MasterPassword!,
            ServerUrl = server,
            Region = region == "eu" ? "eu" : null,
            ServerCaCertificate = input.ServerCaCertificate,
        };
        return new ProviderCredentials(secret.ClientId + "|" + endpoints.Base, server, secret.Serialize());
    }

    public async Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var secret = ParseSecret(context.Credentials.Secret);
        var endpoints = BitwardenEndpoints.For(secret.ServerUrl, secret.Region);
        var api = new BitwardenApiClient(http.Create(secret.ServerCaCertificate), endpoints, clock, http.Limits);
        var deviceId = BitwardenApiClient.DeviceIdFor(context.AccountId, secret.ClientId, endpoints.Base);

        string? protectedUserKey = null;
        var loggedIn = false;
        if (secret.AccessToken is null || secret.AccessTokenExpiresAt is null || secret.AccessTokenExpiresAt <= clock.GetUtcNow() + TokenSafetyMargin)
        {
            protectedUserKey = await LoginAsync(api, secret, deviceId, cancellationToken).ConfigureAwait(false);
            loggedIn = true;
        }

        async Task<T> WithTokenAsync<T>(Func<string, Task<T>> call)
        {
            try
            {
                return await call(secret.AccessToken!).ConfigureAwait(false);
            }
            catch (AccessTokenRejectedException) when (!loggedIn)
            {
                // Revoked or expired early: one fresh login, then give up.
                protectedUserKey = await LoginAsync(api, secret, deviceId, cancellationToken).ConfigureAwait(false);
                loggedIn = true;
                return await WithTokenAsync(call).ConfigureAwait(false);
            }
            catch (AccessTokenRejectedException)
            {
                throw new ProviderRejectedCredentialsException("Bitwarden refused a fresh access token.");
            }
        }

        // Asked before the download, so a change made while it runs moves the date past the one kept.
        long? revision;
        try
        {
            revision = await WithTokenAsync(token => api.RevisionDateAsync(token, cancellationToken)).ConfigureAwait(false);
        }
        catch (ProviderUnavailableException)
        {
            revision = null; // a server without the route (or a glitch): read everything, keep no date
        }

        if (context.MayReportUnchanged && revision is not null && revision == secret.VaultRevision)
        {
            logger.LogInformation("Bitwarden vault unchanged since the last read");
            return VaultSnapshot.NoChange(loggedIn ? secret.Serialize() : null);
        }

        var sync = await WithTokenAsync(token => api.SyncAsync(token, cancellationToken)).ConfigureAwait(false);
        secret.VaultRevision = revision;

        var kdf = KdfOf(secret);
        List<ProviderItem> items;
        string email;

        // Only an unlock with the master password derives (connect, re-connect); syncs open the kept user key.
        using var derivation = secret.UserKey is null
            ? await derivations.EnterAsync(kdf.Type == KdfType.Argon2id ? kdf.MemoryMiB ?? 64 : 1, kdf.Type == KdfType.Argon2id ? kdf.Parallelism ?? 1 : 1,
                cancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            var unlock = secret is { UserKey: { } kept, UnlockFingerprint: { } fingerprint }
                ? UserKeyUnlock.WithKeptUserKey(Convert.FromBase64String(kept), fingerprint)
                : UserKeyUnlock.WithMasterPassword(secret.MasterPassword ?? throw new ProviderRejectedCredentialsException("Neither a user key nor a master password is stored."));
            (email, items) = new VaultDecryptor(logger).Decrypt(sync, unlock, kdf, protectedUserKey);

            // From now on the vault opens with the user key; the master password is forgotten.
            secret.UserKey = Convert.ToBase64String(unlock.OpenedUserKey!);
            secret.UnlockFingerprint = unlock.OpenedFingerprint;
            secret.MasterPassword = null;
        }
        catch (UnsupportedVaultEncryptionException ex)
        {
            logger.LogWarning("Bitwarden vault uses an encryption this client cannot read yet: {Part}", ex.Part);
            throw;
        }
        catch (KdfRejectedException)
        {
            throw new ProviderRejectedCredentialsException("The account's KDF settings are below the accepted minimums.");
        }
        catch (FormatException)
        {
            throw new ProviderRejectedCredentialsException("The stored user key is unreadable.");
        }
        catch (CryptographicException) when (secret.UserKey is not null && secret.MasterPassword is null)
        {
            // The kept user key no longer opens the account's keys (a rotation the fingerprint did not show).
            throw new ProviderRejectedCredentialsException("The kept user key does not open the account's keys.",
                userMessage: "The Bitwarden account keys changed; connect again with the master password.");
        }
        catch (CryptographicException)
        {
            throw new ProviderUnavailableException("The account's keys could not be read.");
        }

        logger.LogInformation("Bitwarden vault read: {ItemCount} login items", items.Count);
        return new VaultSnapshot(email, items, RefreshedSecret: secret.Serialize());
    }

    public Task<ProviderItemDetails> ReadItemDetailsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Bitwarden secrets are read with the vault and cached encrypted.");

    private static async Task<string?> LoginAsync(BitwardenApiClient api, BitwardenSecret secret, Guid deviceId, CancellationToken ct)
    {
        var grant = await api.LoginAsync(secret, deviceId, ct).ConfigureAwait(false);
        secret.AccessToken = grant.AccessToken;
        secret.AccessTokenExpiresAt = grant.ExpiresAt;

        // KDF settings come with the token (the profile has none for API-key sessions); newer servers nest them.
        var unlock = Json.Object(Json.Object(grant.Body, "UserDecryptionOptions"), "MasterPasswordUnlock");
        var nested = Json.Object(unlock, "Kdf");
        secret.KdfType = Json.Int(nested, "KdfType") ?? Json.Int(grant.Body, "Kdf") ?? throw new ProviderUnavailableException("The token answer has no KDF settings.");
        secret.KdfIterations = Json.Int(nested, "Iterations") ?? Json.Int(grant.Body, "KdfIterations");
        secret.KdfMemory = Json.Int(nested, "Memory") ?? Json.Int(grant.Body, "KdfMemory");
        secret.KdfParallelism = Json.Int(nested, "Parallelism") ?? Json.Int(grant.Body, "KdfParallelism");
        return Json.String(unlock, "MasterKeyEncryptedUserKey") ?? Json.String(grant.Body, "Key");
    }

    private static KdfSettings KdfOf(BitwardenSecret secret) => new(
        (KdfType)(secret.KdfType ?? throw new ProviderUnavailableException("No KDF settings are known for the account.")),
        secret.KdfIterations ?? 0, secret.KdfMemory, secret.KdfParallelism);

    private static BitwardenSecret ParseSecret(string json)
    {
        try
        {
            return BitwardenSecret.Parse(json);
        }
        catch (JsonException)
        {
            throw new ProviderRejectedCredentialsException("The stored Bitwarden credentials are unreadable.");
        }
    }

    private static void Require(List<CommandProblem> problems, string field, string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxSecretLength)
        {
            problems.Add(new CommandProblem(field, string.IsNullOrEmpty(value) ? InputProblemKind.Required : InputProblemKind.TooLong,
                $"is required (1 to {MaxSecretLength} characters)."));
        }
    }

    private static void ValidateCa(string pem, string? server)
    {
        if (server is null)
        {
            throw new InvalidCommandException(nameof(ConnectInput.ServerCaCertificate), "is only used with a self-hosted serverUrl.", InputProblemKind.NotAllowed);
        }

        try
        {
            if (pem.Length > 20_000)
            {
                throw new CryptographicException();
            }

            using var ca = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException)
        {
            throw new InvalidCommandException(nameof(ConnectInput.ServerCaCertificate), "must be one PEM-encoded CA certificate.");
        }
    }

    [GeneratedRegex("^user\\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex ClientIdPattern();
}

public static class BitwardenServiceCollectionExtensions
{
    public static IServiceCollection AddBitwardenProvider(this IServiceCollection services) =>
        services.AddSingleton<IVaultProvider, BitwardenProvider>();
}
