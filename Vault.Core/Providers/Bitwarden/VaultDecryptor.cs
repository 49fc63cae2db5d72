using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Vault.Core.Domains;
using Vault.Core.Providers.Bitwarden.Api;
using Vault.Core.Providers.Bitwarden.Crypto;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// Turns a <c>/sync</c> answer into login items, decrypting as the official clients do: master key → stretched key →
/// user key → RSA private key → organization keys → (per-cipher key) → fields. A master password that does not open
/// the user key rejects the credentials; a cipher that cannot be read is skipped with a log line, the sync goes on.
/// </summary>
public sealed class VaultDecryptor(ILogger logger)
{
    public const string PersonalVaultId = "personal";
    public const string PersonalVaultName = "My Vault";
    private const int LoginType = 1;

    public (string Email, List<ProviderItem> Items) Decrypt(JsonObject sync, string masterPassword, KdfSettings kdf, string? protectedUserKey)
    {
        var profile = Json.Object(sync, "profile") ?? throw new ProviderUnavailableException("The sync answer has no profile.");
        var email = Json.String(profile, "email") ?? throw new ProviderUnavailableException("The sync profile has no e-mail.");
        var userKeyText = Json.String(profile, "key") ?? protectedUserKey ?? throw new ProviderUnavailableException("The account has no user key.");

        var userKey = OpenUserKey(masterPassword, email, kdf, userKeyText);
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
                if (ReadLogin(cipher, userKey, orgKeys) is { } item)
                {
                    items.Add(item.VaultId == PersonalVaultId ? item : item with { VaultName = orgNames.GetValueOrDefault(item.VaultId, "Organization") });
                }
            }
            catch (CryptographicException ex)
            {
                logger.LogWarning("Bitwarden cipher {CipherId} skipped: {Reason}", id, ex.Message);
            }
        }

        return (email, items);
    }

    private static SymmetricKey OpenUserKey(string masterPassword, string email, KdfSettings kdf, string protectedUserKey)
    {
        var masterKey = MasterKey.Derive(masterPassword, email, kdf);
        try
        {
            var raw = EncString.TypeOf(protectedUserKey) == 0
                ? EncString.Decrypt(protectedUserKey, new SymmetricKey(masterKey, null))
                : EncString.Decrypt(protectedUserKey, SymmetricKey.Stretch(masterKey));
            return SymmetricKey.FromBytes(raw);
        }
        catch (CryptographicException)
        {
            throw new ProviderRejectedCredentialsException("The master password does not decrypt the user key.");
        }
    }

    private Dictionary<string, SymmetricKey> OpenOrganizationKeys(JsonObject profile, SymmetricKey userKey)
    {
        var keys = new Dictionary<string, SymmetricKey>(StringComparer.OrdinalIgnoreCase);
        var organizations = Json.Array(profile, "organizations").ToList();
        if (organizations.Count == 0)
        {
            return keys;
        }

        var privateKeyText = Json.String(profile, "privateKey") ?? throw new ProviderUnavailableException("The account has organizations but no private key.");
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(EncString.Decrypt(privateKeyText, userKey), out _);
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

    private static ProviderItem? ReadLogin(JsonObject cipher, SymmetricKey userKey, Dictionary<string, SymmetricKey> orgKeys)
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
            key = SymmetricKey.FromBytes(EncString.Decrypt(cipherKey, key));
        }

        var login = Json.Object(cipher, "login");
        var uris = new List<ProviderUri>();
        foreach (var uri in Json.Array(login, "uris"))
        {
            if (Json.String(uri, "uri") is { } encryptedUri)
            {
                uris.Add(new ProviderUri(EncString.DecryptToString(encryptedUri, key), ToMatch(Json.Int(uri, "match"))));
            }
        }

        if (uris.Count == 0)
        {
            return null;
        }

        string? Field(JsonObject? obj, string name) => Json.String(obj, name) is { } value ? EncString.DecryptToString(value, key) : null;
        var totp = Field(login, "totp");
        return new ProviderItem(
            organizationId ?? PersonalVaultId,
            PersonalVaultName, // organization items get their organization's name from the caller
            Json.String(cipher, "id") ?? throw new EncStringException("Cipher without id."),
            Field(cipher, "name") ?? string.Empty,
            Field(login, "username"),
            uris,
            new ItemSecrets(Field(login, "password"), totp),
            !string.IsNullOrEmpty(totp),
            DateTimeOffset.TryParse(Json.String(cipher, "revisionDate"), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var revised) ? revised : null);
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
