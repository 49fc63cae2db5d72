using System.Security.Cryptography;

namespace Vault.Core.Providers.Keeper.Crypto;

/// <summary>
/// The primitives of Keeper Secrets Manager's protocol (docs/keeper-protocol.md §2): AES-256-GCM with the 12-byte nonce
/// in front and the 16-byte tag behind, AES-256-CBC (PKCS#7, IV in front) for folder data, the ECIES seal of a
/// transmission key to a P-256 public key (ephemeral ECDH, SHA-256 of the shared x-coordinate, then AES-GCM), ECDSA
/// P-256/SHA-256 signatures in DER, and the client id (HMAC-SHA512 of a fixed tag under the token's key).
/// </summary>
internal static class KeeperCrypto
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] ClientIdTag = "KEEPER_SECRETS_MANAGER_CLIENT_ID"u8.ToArray();

    /// <summary>AES-256-GCM, <c>nonce ‖ ciphertext ‖ tag</c>; Keeper's payloads carry no associated data, this service's own records do.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, byte[] key, ReadOnlySpan<byte> associatedData = default)
    {
        var output = new byte[NonceSize + plaintext.Length + TagSize];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(NonceSize, plaintext.Length), output.AsSpan(NonceSize + plaintext.Length), associatedData);
        return output;
    }

    public static byte[] Decrypt(ReadOnlySpan<byte> data, byte[] key, string what, ReadOnlySpan<byte> associatedData = default)
    {
        if (data.Length < NonceSize + TagSize || key.Length != 32)
        {
            throw new KeeperCryptoException(what + " is too short or its key is not 256 bits");
        }

        var plaintext = new byte[data.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(data[..NonceSize], data[NonceSize..^TagSize], data[^TagSize..], plaintext, associatedData);
            return plaintext;
        }
        catch (CryptographicException ex)
        {
            throw new KeeperCryptoException(what + " failed authentication", ex);
        }
    }

    public static byte[] DecryptCbc(byte[] data, byte[] key, string what)
    {
        if (data.Length < 32 || data.Length % 16 != 0 || key.Length != 32)
        {
            throw new KeeperCryptoException(what + " is not AES-CBC data");
        }

        try
        {
            using var aes = Aes.Create();
            aes.Key = key;
            return aes.DecryptCbc(data.AsSpan(16), data.AsSpan(0, 16), PaddingMode.PKCS7);
        }
        catch (CryptographicException ex)
        {
            throw new KeeperCryptoException(what + " did not decrypt", ex);
        }
    }

    /// <summary>Seals <paramref name="data"/> to a P-256 public point: ephemeral point (65 bytes) ‖ AES-GCM under SHA-256(ECDH x).</summary>
    public static byte[] SealToPublicKey(ReadOnlySpan<byte> data, byte[] publicPoint)
    {
        using var recipient = ImportPublicPoint(publicPoint);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var shared = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        var key = SHA256.HashData(shared);
        CryptographicOperations.ZeroMemory(shared);
        var sealedData = Encrypt(data, key);
        CryptographicOperations.ZeroMemory(key);
        return [.. PublicPoint(ephemeral.ExportParameters(false)), .. sealedData];
    }

    /// <summary>Keeper's client id: base64 of HMAC-SHA512(key = the token's key bytes, message = the fixed tag).</summary>
    public static string ClientId(byte[] clientKey) => KeeperBase64.Encode(HMACSHA512.HashData(clientKey, ClientIdTag));

    /// <summary>A new device key (P-256), as PKCS#8 DER: the form Keeper's configuration JSON keeps it in.</summary>
    public static byte[] NewPrivateKey()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return key.ExportPkcs8PrivateKey();
    }

    /// <summary>The device's public point (0x04 ‖ X ‖ Y), as the binding request sends it.</summary>
    public static byte[] PublicPointOf(byte[] pkcs8PrivateKey)
    {
        using var key = ImportPrivateKey(pkcs8PrivateKey);
        return PublicPoint(key.ExportParameters(false));
    }

    /// <summary>ECDSA P-256 over SHA-256, DER-encoded, as the SDK's <c>Authorization: Signature …</c> carries it.</summary>
    public static byte[] Sign(byte[] pkcs8PrivateKey, ReadOnlySpan<byte> data)
    {
        using var key = ImportPrivateKey(pkcs8PrivateKey);
        return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    public static ECDsa ImportPrivateKey(byte[] pkcs8PrivateKey)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8PrivateKey, out _);
            if (key.KeySize != 256)
            {
                throw new KeeperCryptoException("the device key is not a P-256 key");
            }

            return key;
        }
        catch (CryptographicException ex)
        {
            key.Dispose();
            throw new KeeperCryptoException("the device key is not a PKCS#8 EC key", ex);
        }
    }

    private static ECDiffieHellman ImportPublicPoint(byte[] point)
    {
        if (point.Length != 65 || point[0] != 4)
        {
            throw new KeeperCryptoException("a server public key is not an uncompressed P-256 point");
        }

        try
        {
            return ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..] },
            });
        }
        catch (CryptographicException ex)
        {
            throw new KeeperCryptoException("a server public key is not on P-256", ex);
        }
    }

    private static byte[] PublicPoint(ECParameters parameters) => [4, .. parameters.Q.X!, .. parameters.Q.Y!];
}
