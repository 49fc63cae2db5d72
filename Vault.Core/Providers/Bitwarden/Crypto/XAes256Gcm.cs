using System.Security.Cryptography;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>
/// XAES-256-GCM (c2sp.org/XAES-256-GCM): AES-256-GCM with a 192-bit nonce. A per-message key is derived from the key
/// and the nonce's first 12 bytes with a CMAC-AES-256-based counter KDF (one CMAC subkey, two blocks); the nonce's last
/// 12 bytes are the GCM nonce. Output is ciphertext ‖ 16-byte tag.
/// </summary>
public static class XAes256Gcm
{
    public const int KeySize = 32;
    public const int NonceSize = 24;
    public const int TagSize = 16;

    public static byte[] Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        using var gcm = new AesGcm(DeriveKey(key, nonce), TagSize);
        var output = new byte[plaintext.Length + TagSize];
        gcm.Encrypt(nonce[12..], plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), aad);
        return output;
    }

    /// <summary>Throws <see cref="AuthenticationTagMismatchException"/> when the tag does not verify.</summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> ciphertextAndTag, ReadOnlySpan<byte> aad)
    {
        if (ciphertextAndTag.Length < TagSize)
        {
            throw new CryptographicException("XAES-256-GCM ciphertext shorter than its tag.");
        }

        using var gcm = new AesGcm(DeriveKey(key, nonce), TagSize);
        var length = ciphertextAndTag.Length - TagSize;
        var plaintext = new byte[length];
        gcm.Decrypt(nonce[12..], ciphertextAndTag[..length], ciphertextAndTag[length..], plaintext, aad);
        return plaintext;
    }

    /// <summary>The derived AES-256-GCM key K_x for a nonce (exposed for the spec's intermediate values).</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce)
    {
        if (key.Length != KeySize || nonce.Length != NonceSize)
        {
            throw new CryptographicException("XAES-256-GCM needs a 32-byte key and a 24-byte nonce.");
        }

        using var aes = Aes.Create();
        aes.Key = key.ToArray();

        // CMAC subkey K1: L = AES_K(0^128) doubled in GF(2^128). Each input is a single complete block, so CMAC
        // reduces to AES_K(M XOR K1).
        var l = aes.EncryptEcb(new byte[16], PaddingMode.None);
        var k1 = new byte[16];
        for (var i = 0; i < 16; i++)
        {
            k1[i] = (byte)((l[i] << 1) | (i < 15 ? l[i + 1] >> 7 : 0));
        }

        if ((l[0] & 0x80) != 0)
        {
            k1[15] ^= 0x87;
        }

        var blocks = new byte[32];
        for (var counter = 1; counter <= 2; counter++)
        {
            var block = blocks.AsSpan((counter - 1) * 16, 16);
            block[0] = 0x00;
            block[1] = (byte)counter;
            block[2] = (byte)'X';
            block[3] = 0x00;
            nonce[..12].CopyTo(block[4..]);
            for (var i = 0; i < 16; i++)
            {
                block[i] ^= k1[i];
            }
        }

        return aes.EncryptEcb(blocks, PaddingMode.None);
    }
}
