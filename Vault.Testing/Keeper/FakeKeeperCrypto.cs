using System.Security.Cryptography;

namespace Vault.Testing.Keeper;

/// <summary>
/// The server's side of Keeper Secrets Manager's crypto, written apart from the client's (Vault.Core) so that the fake
/// checks the client rather than agreeing with it: opening a transmission key sealed to a server key, AES-256-GCM
/// (nonce ‖ ciphertext ‖ tag), AES-256-CBC for folder data, ECDSA P-256/SHA-256 DER signature checks, client ids.
/// </summary>
public static class FakeKeeperCrypto
{
    public static string B64(byte[] data) => Convert.ToBase64String(data);

    public static string B64Url(byte[] data) => Convert.ToBase64String(data).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] FromB64(string text)
    {
        var s = text.Trim().Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    public static byte[] Gcm(byte[] plaintext, byte[] key)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plaintext, ciphertext, tag);
        return [.. nonce, .. ciphertext, .. tag];
    }

    public static byte[] OpenGcm(byte[] data, byte[] key)
    {
        var plaintext = new byte[data.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(data.AsSpan(0, 12), data.AsSpan(12, plaintext.Length), data.AsSpan(data.Length - 16), plaintext);
        return plaintext;
    }

    public static byte[] Cbc(byte[] plaintext, byte[] key)
    {
        using var aes = Aes.Create();
        aes.Key = key;
        var iv = RandomNumberGenerator.GetBytes(16);
        return [.. iv, .. aes.EncryptCbc(plaintext, iv, PaddingMode.PKCS7)];
    }

    /// <summary>Opens ephemeral point (65) ‖ GCM under SHA-256 of the ECDH x-coordinate.</summary>
    public static byte[] OpenSealed(byte[] sealedKey, ECDiffieHellman serverKey)
    {
        using var ephemeral = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = sealedKey[1..33], Y = sealedKey[33..65] },
        });
        var shared = serverKey.DeriveRawSecretAgreement(ephemeral.PublicKey);
        return OpenGcm(sealedKey[65..], SHA256.HashData(shared));
    }

    public static bool VerifyDer(byte[] publicPoint, byte[] data, byte[] signature)
    {
        try
        {
            using var key = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = publicPoint[1..33], Y = publicPoint[33..65] },
            });
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public static string ClientIdOf(byte[] clientKey) => B64(HMACSHA512.HashData(clientKey, "KEEPER_SECRETS_MANAGER_CLIENT_ID"u8));

    public static byte[] PublicPoint(ECDiffieHellman key)
    {
        var p = key.ExportParameters(false);
        return [4, .. p.Q.X!, .. p.Q.Y!];
    }

    /// <summary>A Keeper record or folder uid: 16 random bytes, base64url.</summary>
    public static string NewUid() => B64Url(RandomNumberGenerator.GetBytes(16));
}
