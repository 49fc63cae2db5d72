using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Vault.Core.Domains;
using Vault.Core.Providers.Bitwarden.Api;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// Turns a <c>/sync</c> answer into login items, decrypting as the official clients do: master key → stretched key →
/// user key → RSA private key → organization keys → (per-cipher key) → fields or item blob. Encryption v1 (AES-CBC
/// keys, EncString types 0–6) and v2 (COSE user key, type-7 EncStrings, blob items) both read. A master password that
/// does not open the user key rejects the credentials; a cipher that cannot be read is skipped with a log line; any
/// part of v2 this client does not understand fails the whole read with <see cref="UnsupportedVaultEncryptionException"/>
/// rather than dropping items.
/// </summary>
public sealed class VaultDecryptor(ILogger logger)
{
    public const string PersonalVaultId = "personal";
    public const string PersonalVaultName = "My Vault";
    private const int LoginType = 1;

    public (string Email, List<ProviderItem> Items) Decrypt(JsonObject sync, UserKeyUnlock unlock, KdfSettings kdf, string? protectedUserKey)
    {
        var profile = Json.Object(sync, "profile") ?? throw new ProviderUnavailableException("The sync answer has no profile.");
        var email = Json.String(profile, "email") ?? throw new ProviderUnavailableException("The sync profile has no e-mail.");
        var userKeyText = Json.String(profile, "key") ?? protectedUserKey ?? throw new ProviderUnavailableException("The account has no user key.");

        var userKey = unlock.Open(email, kdf, userKeyText);
        var securityVersion = SecurityVersionOf(profile, userKey);
        if (userKey.IsCose)
        {
            logger.LogInformation("Bitwarden account on encryption v2 (user key {KeyKind}, security version {SecurityVersion})", userKey.Kind, securityVersion);
        }

        var orgKeys = OpenOrganizationKeys(profile, userKey);
        var orgNames = Json.Array(profile, "organizations")
            .Where(o => Json.String(o, "id") is not null)
            .ToDictionary(o => Json.String(o, "id")!, o => Json.String(o, "name") ?? "Organization", StringComparer.OrdinalIgnoreCase);

        var items = new List<ProviderItem>();
        foreach (var cipher in Json.Array(sync, "ciphers"))
        {
            if (Json.Int(cipher, "type") != LoginType || Json.Get(cipher, "deletedDate") is JsonValue)
            {
                continue;
            }

            var id = Json.String(cipher, "id") ?? string.Empty;
            try
            {
                if (ReadLogin(cipher, userKey, orgKeys, securityVersion) is { } item)
                {
                    items.Add(item.VaultId == PersonalVaultId ? item : item with { VaultName = orgNames.GetValueOrDefault(item.VaultId, "Organization") });
                }
            }
            catch (CryptographicException ex)
            {
                logger.LogWarning("Bitwarden cipher {CipherId} skipped: {Reason}", id, ex.Message);
            }
            catch (UnsupportedVaultEncryptionException ex)
            {
                logger.LogWarning("Bitwarden cipher {CipherId} uses an encryption this client cannot read: {Part}", id, ex.Part);
                throw;
            }
        }

        return (email, items);
    }

    /// <summary>
    /// The account's security version: 1 for v1 accounts. For v2 accounts at least 2, and the signed state counts
    /// once its signature verifies under the user's own signing key (a server cannot lower it); the clear value can
    /// only raise it. A version newer than this client knows is unsupported: it may have retired formats this client
    /// would still accept.
    /// </summary>
    private long SecurityVersionOf(JsonObject profile, SymmetricKey userKey)
    {
        var accountKeys = Json.Object(profile, "accountKeys");
        var state = Json.Object(accountKeys, "securityState");
        long version = userKey.IsCose ? SecurityState.SupportedVersion : 1;
        if (state is null)
        {
            return version;
        }

        version = Math.Max(version, Json.Int(state, "securityVersion") ?? 1);
        if (Json.String(state, "securityState") is { } signed)
        {
            var wrappedSigningKey = Json.String(Json.Object(accountKeys, "signatureKeyPair"), "wrappedSigningKey");
            version = Math.Max(version, wrappedSigningKey is not null && userKey.IsCose
                ? SecurityState.VerifiedVersionOf(signed, wrappedSigningKey, userKey)
                : SecurityState.VersionOf(signed));
        }

        if (version > SecurityState.SupportedVersion)
        {
            logger.LogWarning("Bitwarden account security version {SecurityVersion} is newer than this client reads", version);
            throw new UnsupportedVaultEncryptionException($"account security version {version}");
        }

        return version;
    }

    private Dictionary<string, SymmetricKey> OpenOrganizationKeys(JsonObject profile, SymmetricKey userKey)
    {
        var keys = new Dictionary<string, SymmetricKey>(StringComparer.OrdinalIgnoreCase);
        var organizations = Json.Array(profile, "organizations").ToList();
        if (organizations.Count == 0)
        {
            return keys;
        }

        // v2 servers describe the key pair under accountKeys; profile.privateKey is the older place of the same key.
        var privateKeyText = Json.String(Json.Object(Json.Object(profile, "accountKeys"), "publicKeyEncryptionKeyPair"), "wrappedPrivateKey")
            ?? Json.String(profile, "privateKey")
            ?? throw new ProviderUnavailableException("The account has organizations but no private key.");
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(EncString.DecryptPrivateKey(privateKeyText, userKey), out _);
        foreach (var organization in organizations)
        {
            var id = Json.String(organization, "id");
            var key = Json.String(organization, "key");
            if (id is null || key is null)
            {
                continue;
            }

            try
            {
                keys[id] = SymmetricKey.FromBytes(EncString.Decrypt(key, rsa));
            }
            catch (CryptographicException ex)
            {
                logger.LogWarning("Bitwarden organization {OrganizationId} key unreadable: {Reason}", id, ex.Message);
            }
        }

        return keys;
    }

    private static ProviderItem? ReadLogin(JsonObject cipher, SymmetricKey userKey, Dictionary<string, SymmetricKey> orgKeys, long securityVersion)
    {
        var organizationId = Json.String(cipher, "organizationId");
        SymmetricKey key;
        if (organizationId is null)
        {
            key = userKey;
        }
        else if (!orgKeys.TryGetValue(organizationId, out key!))
        {
            throw new EncStringException("No key for the cipher's organization.");
        }

        if (Json.String(cipher, "key") is { } cipherKey)
        {
            key = EncString.DecryptKey(cipherKey, key);
        }

        var id = Json.String(cipher, "id") ?? throw new EncStringException("Cipher without id.");
        var vaultId = organizationId ?? PersonalVaultId;
        var revised = DateTimeOffset.TryParse(Json.String(cipher, "revisionDate"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var date) ? date : (DateTimeOffset?)null;

        if (SealedCipherBlob.TryParse(Json.String(cipher, "data")) is { } blob)
        {
            var login = BlobLogin.Read(blob.Open(key));
            if (login is null || login.Uris.Count == 0)
            {
                return null;
            }

            return new ProviderItem(vaultId, PersonalVaultName, id, login.Name, login.Username,
                login.Uris.Select(u => new ProviderUri(u.Uri, ToMatch(u.Match))).ToList(),
                new ItemSecrets(login.Password, login.Totp), !string.IsNullOrEmpty(login.Totp), revised);
        }

        var fields = Json.Object(cipher, "login");
        var uris = new List<ProviderUri>();
        foreach (var uri in Json.Array(fields, "uris"))
        {
            if (Json.String(uri, "uri") is not { } encryptedUri)
            {
                continue;
            }

            var text = EncString.DecryptToString(encryptedUri, key);

            // From security version 2 the clients drop a URI whose checksum (SHA-256 of the URI, encrypted with it) does
            // not match, so a server cannot swap an item's URIs; this client shows the same URIs they do.
            if (securityVersion >= 2 && !ChecksumMatches(text, Json.String(uri, "uriChecksum"), key))
            {
                continue;
            }

            uris.Add(new ProviderUri(text, ToMatch(Json.Int(uri, "match"))));
        }

        if (uris.Count == 0)
        {
            return null;
        }

        string? Field(JsonObject? obj, string name) => Json.String(obj, name) is { } value ? EncString.DecryptToString(value, key) : null;
        var totp = Field(fields, "totp");
        return new ProviderItem(
            vaultId,
            PersonalVaultName, // organization items get their organization's name from the caller
            id,
            Field(cipher, "name") ?? string.Empty,
            Field(fields, "username"),
            uris,
            new ItemSecrets(Field(fields, "password"), totp),
            !string.IsNullOrEmpty(totp),
            revised);
    }

    private static bool ChecksumMatches(string uri, string? encryptedChecksum, SymmetricKey key)
    {
        if (encryptedChecksum is null)
        {
            return false;
        }

        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(uri));
        byte[] actual;
        try
        {
            actual = Convert.FromBase64String(EncString.DecryptToString(encryptedChecksum, key));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static UriMatch ToMatch(int? match) => match switch
    {
        0 => UriMatch.Domain,
        1 => UriMatch.Host,
        2 => UriMatch.StartsWith,
        3 => UriMatch.Exact,
        4 => UriMatch.RegularExpression,
        5 => UriMatch.Never,
        _ => UriMatch.Default,
    };
}
