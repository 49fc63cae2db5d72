using System.Security.Cryptography;
using System.Text;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>An EncString that could not be read or decrypted. The message names the problem, never the data.</summary>
public sealed class EncStringException(string message) : CryptographicException(message);

/// <summary>
/// Bitwarden's encrypted-string format <c>&lt;type&gt;.&lt;b64&gt;|&lt;b64&gt;…</c>. Symmetric: 0 AES-256-CBC (legacy, no MAC),
/// 2 AES-256-CBC + HMAC-SHA256 (what current accounts write). Asymmetric: 3 RSA-OAEP-SHA256, 4 RSA-OAEP-SHA1, and the
/// deprecated 5/6 (the same with an appended MAC that is not checked, as the official clients do). Type 7 (COSE
/// Encrypt0, XChaCha20-Poly1305) belongs to accounts on the new encryption scheme and is reported as unsupported.
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

    public static byte[] Decrypt(string encString, SymmetricKey key)
    {
        var type = TypeOf(encString);
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
            default:
                throw new EncStringException($"Unsupported EncString type {type} for a symmetric key.");
        }
    }

    public static string DecryptToString(string encString, SymmetricKey key) => Encoding.UTF8.GetString(Decrypt(encString, key));

    public static byte[] Decrypt(string encString, RSA privateKey)
    {
        var type = TypeOf(encString);
        var parts = Parts(encString);
        var padding = type switch
        {
            3 or 5 => RSAEncryptionPadding.OaepSHA256,
            4 or 6 => RSAEncryptionPadding.OaepSHA1,
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

    public static string Encrypt(string plaintext, SymmetricKey key) => Encrypt(Encoding.UTF8.GetBytes(plaintext), key);

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
