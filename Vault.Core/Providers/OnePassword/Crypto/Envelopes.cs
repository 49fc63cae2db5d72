using System.Security.Cryptography;
using Vault.Core.Providers.OnePassword.Api;

namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>
/// AES-256-GCM envelopes (docs/onepassword-protocol.md §4, §6): <c>iv</c> is the 12-byte nonce, <c>data</c> is ciphertext ‖ 16-byte
/// tag, no additional data. Used for session bodies (key K) and for keys, vault attributes and items.
/// </summary>
internal static class Envelopes
{
    public const string Aes256Gcm = "A256GCM";
    public const string RsaOaep = "RSA-OAEP";
    public const string ContentType = "b5+jwk+json";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static Envelope Encrypt(ReadOnlySpan<byte> key, string kid, ReadOnlySpan<byte> plaintext)
    {
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var output = new byte[plaintext.Length + TagSize];
        using (var gcm = new AesGcm(key, TagSize))
        {
            gcm.Encrypt(nonce, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length));
        }

        return new Envelope { Kid = kid, Enc = Aes256Gcm, Cty = ContentType, Iv = LenientBase64Url.Encode(nonce), Data = LenientBase64Url.Encode(output) };
    }

    /// <summary>Decrypts an A256GCM envelope; <paramref name="what"/> names it in errors (e.g. "vault attributes").</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> key, Envelope? envelope, string what)
    {
        if (envelope is null)
        {
            throw new OnePasswordCryptoException($"The {what} envelope is missing.");
        }

        if (envelope.Enc != Aes256Gcm)
        {
            throw new OnePasswordCryptoException($"The {what} envelope is not A256GCM.");
        }

        var nonce = LenientBase64Url.TryDecode(envelope.Iv);
        var data = LenientBase64Url.TryDecode(envelope.Data);
        if (nonce is not { Length: NonceSize } || data is null || data.Length < TagSize)
        {
            throw new OnePasswordCryptoException($"The {what} envelope is truncated or malformed.");
        }

        var plaintext = new byte[data.Length - TagSize];
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(nonce, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), plaintext);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new OnePasswordCryptoException($"The {what} envelope does not verify (GCM tag mismatch).", ex);
        }

        return plaintext;
    }

    /// <summary>RSA-OAEP with SHA-1 and MGF1-SHA-1 (the only padding the SDK accepts for vault keys, §6.4).</summary>
    public static byte[] DecryptRsa(RSA privateKey, Envelope? envelope, string what)
    {
        if (envelope is null)
        {
            throw new OnePasswordCryptoException($"The {what} envelope is missing.");
        }

        if (envelope.Enc != RsaOaep)
        {
            throw new OnePasswordCryptoException($"The {what} envelope is not RSA-OAEP.");
        }

        var data = LenientBase64Url.TryDecode(envelope.Data) ?? throw new OnePasswordCryptoException($"The {what} envelope is malformed.");
        try
        {
            return privateKey.Decrypt(data, RSAEncryptionPadding.OaepSHA1);
        }
        catch (CryptographicException ex)
        {
            throw new OnePasswordCryptoException($"The {what} envelope does not decrypt.", ex);
        }
    }
}
