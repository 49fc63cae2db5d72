using System.Security.Cryptography;
using System.Text.Json;
using Vault.Core.Providers.OnePassword.Api;

namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>Turns decrypted JWK plaintexts into keys (symmetric A256GCM keys and RSA-OAEP private keys).</summary>
internal static class Keys
{
    public static Jwk ParseJwk(byte[] plaintext, string what)
    {
        try
        {
            return JsonSerializer.Deserialize(plaintext, OnePasswordJson.Wire.Jwk)
                ?? throw new OnePasswordCryptoException($"The {what} is not a JSON web key.");
        }
        catch (JsonException ex)
        {
            throw new OnePasswordCryptoException($"The {what} is not a JSON web key.", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The 32 bytes of an A256GCM JWK.</summary>
    public static byte[] SymmetricKey(Jwk jwk, string what)
    {
        if (jwk.Kty != "oct")
        {
            throw new OnePasswordCryptoException($"The {what} is not a symmetric key.");
        }

        var key = LenientBase64Url.TryDecode(jwk.K);
        return key is { Length: 32 } ? key : throw new OnePasswordCryptoException($"The {what} is not a 256-bit key.");
    }

    /// <summary>An RSA private key from a JWK (n, e, d, p, q, dp, dq, qi).</summary>
    public static RSA RsaPrivateKey(Jwk jwk, string what)
    {
        if (jwk.Kty != "RSA")
        {
            throw new OnePasswordCryptoException($"The {what} is not an RSA key.");
        }

        var n = LenientBase64Url.TryDecode(jwk.N);
        var e = LenientBase64Url.TryDecode(jwk.E);
        var d = LenientBase64Url.TryDecode(jwk.D);
        var p = LenientBase64Url.TryDecode(jwk.P);
        var q = LenientBase64Url.TryDecode(jwk.Q);
        var dp = LenientBase64Url.TryDecode(jwk.Dp);
        var dq = LenientBase64Url.TryDecode(jwk.Dq);
        var qi = LenientBase64Url.TryDecode(jwk.Qi);
        if (n is null || e is null || d is null || p is null || q is null || dp is null || dq is null || qi is null ||
            n.Length < 256 - 1 || n.Length > 1024)
        {
            throw new OnePasswordCryptoException($"The {what} is incomplete or too small.");
        }

        // .NET wants D as long as the modulus and the CRT parts half as long; JWK integers are minimal, so pad them.
        n = TrimLeadingZeros(n);
        var half = (n.Length + 1) / 2;
        var rsa = RSA.Create();
        try
        {
            rsa.ImportParameters(new RSAParameters
            {
                Modulus = n,
                Exponent = TrimLeadingZeros(e),
                D = Pad(d, n.Length),
                P = Pad(p, half),
                Q = Pad(q, half),
                DP = Pad(dp, half),
                DQ = Pad(dq, half),
                InverseQ = Pad(qi, half),
            });
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new OnePasswordCryptoException($"The {what} is not a valid RSA key.", ex);
        }

        return rsa;
    }

    private static byte[] TrimLeadingZeros(byte[] value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0)
        {
            i++;
        }

        return i == 0 ? value : value[i..];
    }

    private static byte[] Pad(byte[] value, int length)
    {
        value = TrimLeadingZeros(value);
        if (value.Length > length)
        {
            throw new OnePasswordCryptoException("An RSA key component is longer than the modulus allows.");
        }

        if (value.Length == length)
        {
            return value;
        }

        var padded = new byte[length];
        value.CopyTo(padded, length - value.Length);
        return padded;
    }
}
