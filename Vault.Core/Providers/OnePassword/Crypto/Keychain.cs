using System.Security.Cryptography;
using System.Text.Json;
using Vault.Core.Providers.OnePassword.Api;

namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>
/// The key hierarchy of docs/onepassword-protocol.md §6: MUK (from the token) → keyset symmetric keys → keyset RSA private keys →
/// vault keys → vault attributes and items. Keysets may be encrypted by the MUK or by another keyset's symmetric key.
/// </summary>
internal sealed class Keychain : IDisposable
{
    public const string MasterKeyId = "mp";
    private readonly Dictionary<string, byte[]> _symmetric = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Keyset> _keysets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RSA> _privateKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _vaultKeys = new(StringComparer.Ordinal);

    public Keychain(byte[] masterUnlockKey) => _symmetric[MasterKeyId] = masterUnlockKey;

    /// <summary>Whether the account's keysets have been read in this session.</summary>
    public bool HasKeysets { get; private set; }

    /// <summary>Whether the keyset a vault's key is encrypted by is known (keysets may rotate).</summary>
    public bool KnowsKeysetOf(VaultDto vault) =>
        (vault.CombinedAccess?.EncryptedBy ?? vault.CombinedAccess?.EncVaultKey?.Kid) is { } id && _symmetric.ContainsKey(id);

    /// <summary>A vault key unlocked earlier in this session.</summary>
    public bool TryGetVaultKey(string vaultId, out byte[] key) => _vaultKeys.TryGetValue(vaultId, out key!);

    public void AddKeysets(KeysetsResponse? answer)
    {
        if (answer?.Keysets is not { Count: > 0 } keysets)
        {
            throw new OnePasswordProtocolException("The account has no keysets.");
        }

        var pending = keysets.Where(k => !string.IsNullOrEmpty(k.Uuid)).ToList();
        foreach (var keyset in pending)
        {
            _keysets[keyset.Uuid!] = keyset;
        }

        // Unlock in dependency order: a keyset is opened once the key it names is known.
        bool progress;
        do
        {
            progress = false;
            foreach (var keyset in pending.ToList())
            {
                var by = keyset.EncryptedBy ?? keyset.EncSymKey?.Kid;
                if (by is null || !_symmetric.TryGetValue(by, out var wrappingKey))
                {
                    continue;
                }

                byte[] plaintext;
                try
                {
                    plaintext = Envelopes.Decrypt(wrappingKey, keyset.EncSymKey, "keyset key");
                }
                catch (OnePasswordCryptoException ex) when (by == MasterKeyId)
                {
                    // The token's own unlock key does not open the account: the token's key material is wrong.
                    throw new OnePasswordKeyMaterialException("The token's unlock key does not open the account's keyset.", ex);
                }

                _symmetric[keyset.Uuid!] = Keys.SymmetricKey(Keys.ParseJwk(plaintext, "keyset key"), "keyset key");
                pending.Remove(keyset);
                progress = true;
            }
        }
        while (progress && pending.Count > 0);

        if (!keysets.Any(k => k.Uuid is not null && _symmetric.ContainsKey(k.Uuid)))
        {
            throw new OnePasswordKeyMaterialException("No keyset is encrypted by the token's unlock key.");
        }

        HasKeysets = true;
    }

    /// <summary>The vault key, from the vault's <c>combinedAccess.encVaultKey</c> (RSA-OAEP under a keyset's private key).</summary>
    public byte[] VaultKey(VaultDto vault)
    {
        var access = vault.CombinedAccess ?? throw new OnePasswordProtocolException("A vault has no access record.");
        var keysetId = access.EncryptedBy ?? access.EncVaultKey?.Kid ?? throw new OnePasswordProtocolException("A vault key names no keyset.");
        var rsa = PrivateKey(keysetId);
        var plaintext = Envelopes.DecryptRsa(rsa, access.EncVaultKey, "vault key");
        var key = Keys.SymmetricKey(Keys.ParseJwk(plaintext, "vault key"), "vault key");
        if (vault.Uuid is { } vaultId)
        {
            _vaultKeys[vaultId] = key;
        }

        return key;
    }

    public static T Open<T>(byte[] key, Envelope? envelope, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string what)
        where T : class
    {
        var plaintext = Envelopes.Decrypt(key, envelope, what);
        try
        {
            return JsonSerializer.Deserialize(plaintext, type) ?? throw new OnePasswordProtocolException($"The {what} is empty.");
        }
        catch (JsonException)
        {
            throw new OnePasswordProtocolException($"The {what} is not the expected JSON.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private RSA PrivateKey(string keysetId)
    {
        if (_privateKeys.TryGetValue(keysetId, out var cached))
        {
            return cached;
        }

        if (!_keysets.TryGetValue(keysetId, out var keyset) || !_symmetric.TryGetValue(keysetId, out var symmetric))
        {
            throw new OnePasswordProtocolException("A vault key is encrypted by a keyset the account does not have.");
        }

        var jwk = Keys.ParseJwk(Envelopes.Decrypt(symmetric, keyset.EncPriKey, "keyset private key"), "keyset private key");
        var rsa = Keys.RsaPrivateKey(jwk, "keyset private key");
        _privateKeys[keysetId] = rsa;
        return rsa;
    }

    public void Dispose()
    {
        foreach (var rsa in _privateKeys.Values)
        {
            rsa.Dispose();
        }

        foreach (var (id, key) in _symmetric)
        {
            if (id != MasterKeyId)
            {
                CryptographicOperations.ZeroMemory(key);
            }
        }

        foreach (var key in _vaultKeys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

/// <summary>The token's key material does not open the account (wrong MUK).</summary>
internal sealed class OnePasswordKeyMaterialException(string message, Exception? inner = null) : Exception(message, inner);
