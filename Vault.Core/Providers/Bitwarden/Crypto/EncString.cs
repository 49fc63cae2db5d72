using System.Security.Cryptography;
using System.Text;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>An EncString that could not be read or decrypted. The message names the problem, never the data.</summary>
public sealed class EncStringException(string message) : CryptographicException(message);

/// <summary>
/// Bitwarden's encrypted-string format <c>&lt;type&gt;.&lt;b64&gt;|&lt;b64&gt;…</c>. Symmetric: 0 AES-256-CBC (legacy, no MAC),
/// 2 AES-256-CBC + HMAC-SHA256 (what current accounts write). Asymmetric: 3 RSA-OAEP-SHA256, 4 RSA-OAEP-SHA1, and the
/// deprecated 5/6 (the same with an appended MAC that is not checked, as the official clients do). Type 7 (encryption
/// v2): base64 of a COSE_Encrypt0 under a COSE key (XAES-256-GCM or XChaCha20-Poly1305), whose protected content type
/// says what the plaintext is; text is padded. Types 0/2 only open under v1 keys and type 7 only under v2 keys.
/// </summary>
public static class EncString
{
    public static int TypeOf(string encString)
    {
        var dot = encString.IndexOf('.');
        return dot > 0 && int.TryParse(encString.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var type)
            ? type
            : throw new EncStringException("Malformed EncString: no type.");
    }

    /// <summary>The plaintext bytes. A type-7 string must carry text or bytes (use the key and private-key readers for those).</summary>
    public static byte[] Decrypt(string encString, SymmetricKey key)
    {
        if (TypeOf(encString) == 7)
        {
            var (plaintext, content) = OpenCose(encString, key);
            return content is CoseContent.Utf8Padded or CoseContent.OctetStream
                ? plaintext
                : throw new UnsupportedVaultEncryptionException($"COSE content type {content} where text was expected");
        }

        return DecryptV1(encString, key);
    }

    /// <summary>A wrapped key: v1 raw or padded-COSE bytes in types 0/2; in type 7 a legacy key or a COSE_Key by content type.</summary>
    public static SymmetricKey DecryptKey(string encString, SymmetricKey key)
    {
        if (TypeOf(encString) != 7)
        {
            return SymmetricKey.FromBytes(DecryptV1(encString, key));
        }

        var (plaintext, content) = OpenCose(encString, key);
        return content switch
        {
            CoseContent.LegacyKey => SymmetricKey.FromBytes(plaintext),
            CoseContent.CoseKey => SymmetricKey.FromCoseKey(plaintext),
            _ => throw new UnsupportedVaultEncryptionException($"COSE content type {content} where a key was expected"),
        };
    }

    /// <summary>The user's RSA private key (PKCS#8 DER): type 2 under a v1 user key, type 7 (content PKCS#8) under a v2 one.</summary>
    public static byte[] DecryptPrivateKey(string encString, SymmetricKey key)
    {
        if (TypeOf(encString) != 7)
        {
            return DecryptV1(encString, key);
        }

        var (plaintext, content) = OpenCose(encString, key);
        return content == CoseContent.Pkcs8PrivateKey
            ? plaintext
            : throw new UnsupportedVaultEncryptionException($"COSE content type {content} where a private key was expected");
    }

    /// <summary>Type 7: parses and decrypts the COSE_Encrypt0 and removes the padding its content type implies.</summary>
    public static (byte[] Plaintext, CoseContent Content) OpenCose(string encString, SymmetricKey key)
    {
        if (!key.IsCose)
        {
            throw new EncStringException("Unsupported EncString type 7 for an AES-CBC key.");
        }

        var parts = Parts(encString);
        if (parts.Length != 1)
        {
            throw new EncStringException("Malformed EncString of type 7.");
        }

        var message = CoseEncrypt0.Parse(parts[0]);
        var content = message.Content; // an unknown content type is unsupported before anything is decrypted
        var plaintext = message.Decrypt(key);
        try
        {
            return (content == CoseContent.Utf8Padded ? Padding.Unpad(plaintext) : plaintext, content);
        }
        catch (CryptographicException)
        {
            throw new EncStringException("EncString padding is invalid.");
        }
    }

    private static byte[] DecryptV1(string encString, SymmetricKey key)
    {
        var type = TypeOf(encString);
        if (key.IsCose && type is 0 or 2)
        {
            throw new EncStringException($"EncString type {type} under a v2 key.");
        }

        var parts = Parts(encString);
        switch (type)
        {
            case 0 when parts.Length == 2:
                if (key.MacKey is not null)
                {
                    // A MAC-less string under a MAC key would be a downgrade: refuse it, as the clients do.
                    throw new EncStringException("EncString type 0 under a key with a MAC key.");
                }

                return AesCbc(key.EncryptionKey, parts[0], parts[1]);
            case 2 when parts.Length == 3:
                if (key.MacKey is null)
                {
                    throw new EncStringException("EncString type 2 needs a MAC key.");
                }

                var expected = HMACSHA256.HashData(key.MacKey, (byte[])[.. parts[0], .. parts[1]]);
                if (!CryptographicOperations.FixedTimeEquals(expected, parts[2]))
                {
                    throw new EncStringException("EncString MAC does not verify.");
                }

                return AesCbc(key.EncryptionKey, parts[0], parts[1]);
            case 0 or 2:
                throw new EncStringException($"Malformed EncString of type {type}.");
            case 7:
                throw new EncStringException("Unsupported EncString type 7 for an AES-CBC key.");
            case > 7:
                throw new UnsupportedVaultEncryptionException($"EncString type {type}");
            default:
                throw new EncStringException($"Unsupported EncString type {type} for a symmetric key.");
        }
    }

    public static string DecryptToString(string encString, SymmetricKey key) => Encoding.UTF8.GetString(Decrypt(encString, key));

    /// <summary>Type 7 as a v2 client writes it: text padded, keys as legacy bytes or COSE_Key by content type.</summary>
    public static string EncryptCose(ReadOnlySpan<byte> plaintext, SymmetricKey key, CoseContent content) =>
        "7." + Convert.ToBase64String(CoseEncrypt0.Encrypt(key, content, content == CoseContent.Utf8Padded ? Padding.PadText(plaintext) : plaintext));

    /// <summary>Wraps a key the way the SDK does under a v2 key: a COSE key as COSE_Key, a v1 key as legacy bytes.</summary>
    public static string WrapKey(SymmetricKey keyToWrap, SymmetricKey wrappingKey) => wrappingKey.IsCose
        ? EncryptCose(keyToWrap.IsCose ? keyToWrap.ToCoseKey() : keyToWrap.ToBytes(), wrappingKey, keyToWrap.IsCose ? CoseContent.CoseKey : CoseContent.LegacyKey)
        : Encrypt(keyToWrap.ToBytes(), wrappingKey);

    public static byte[] Decrypt(string encString, RSA privateKey)
    {
        var type = TypeOf(encString);
        var parts = Parts(encString);
        var padding = type switch
        {
            3 or 5 => RSAEncryptionPadding.OaepSHA256,
            4 or 6 => RSAEncryptionPadding.OaepSHA1,
            > 6 => throw new UnsupportedVaultEncryptionException($"EncString type {type} for a private key"),
            _ => throw new EncStringException($"Unsupported EncString type {type} for a private key."),
        };
        if (parts.Length is 0 or > 2)
        {
            throw new EncStringException($"Malformed EncString of type {type}.");
        }

        return privateKey.Decrypt(parts[0], padding);
    }

    /// <summary>Type 2, as a client writes it (the fake server and tests encrypt this way).</summary>
    public static string Encrypt(ReadOnlySpan<byte> plaintext, SymmetricKey key)
    {
        var iv = RandomNumberGenerator.GetBytes(16);
        using var aes = Aes.Create();
        aes.Key = key.EncryptionKey;
        var data = aes.EncryptCbc(plaintext, iv);
        var mac = HMACSHA256.HashData(key.MacKey ?? throw new EncStringException("Type 2 needs a MAC key."), (byte[])[.. iv, .. data]);
        return $"2.{Convert.ToBase64String(iv)}|{Convert.ToBase64String(data)}|{Convert.ToBase64String(mac)}";
    }

    public static string Encrypt(string plaintext, SymmetricKey key) => key.IsCose
        ? EncryptCose(Encoding.UTF8.GetBytes(plaintext), key, CoseContent.Utf8Padded)
        : Encrypt(Encoding.UTF8.GetBytes(plaintext), key);

    /// <summary>Type 4 (RSA-OAEP-SHA1), how clients share organization keys.</summary>
    public static string Encrypt(ReadOnlySpan<byte> plaintext, RSA publicKey) =>
        "4." + Convert.ToBase64String(publicKey.Encrypt(plaintext.ToArray(), RSAEncryptionPadding.OaepSHA1));

    private static byte[][] Parts(string encString)
    {
        try
        {
            return encString[(encString.IndexOf('.') + 1)..].Split('|').Select(Convert.FromBase64String).ToArray();
        }
        catch (FormatException)
        {
            throw new EncStringException("Malformed EncString: bad base64.");
        }
    }

    private static byte[] AesCbc(byte[] key, byte[] iv, byte[] data)
    {
        if (iv.Length != 16)
        {
            throw new EncStringException("Malformed EncString: bad IV.");
        }

        using var aes = Aes.Create();
        aes.Key = key;
        try
        {
            return aes.DecryptCbc(data, iv);
        }
        catch (CryptographicException)
        {
            throw new EncStringException("EncString does not decrypt.");
        }
    }
}
