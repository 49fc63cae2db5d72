using System.Security.Cryptography;
using System.Text;

namespace Vault.Core.Storage;

/// <summary>
/// A value sealed under a <see cref="ConnectionKey"/>: format(1) = 2 ‖ key id length(1) ‖ key id (ASCII) ‖
/// <see cref="AesGcmSealer"/> output. The key id travels with the value, so a reader finds the key without reading the
/// connection row, and a re-connect can re-seal rows one by one while both keys exist. Values written before
/// per-connection keys start with <see cref="AesGcmSealer"/>'s own version byte (1) and have no key id.
/// </summary>
public static class KeyedSeal
{
    private const byte Format = 2;

    public static byte[] Seal(ConnectionKey key, ReadOnlySpan<byte> plaintext, string associatedData)
    {
        var keyId = Encoding.ASCII.GetBytes(key.KeyId);
        var sealedValue = AesGcmSealer.Seal(key.Bytes, plaintext, Encoding.UTF8.GetBytes(associatedData));
        var output = new byte[2 + keyId.Length + sealedValue.Length];
        output[0] = Format;
        output[1] = checked((byte)keyId.Length);
        keyId.CopyTo(output, 2);
        sealedValue.CopyTo(output, 2 + keyId.Length);
        return output;
    }

    /// <summary>The id of the key <paramref name="sealedValue"/> is sealed under; null for a value of the older layout.</summary>
    public static string? KeyIdOf(ReadOnlySpan<byte> sealedValue)
    {
        if (sealedValue.Length < 2 || sealedValue[0] != Format || sealedValue.Length < 2 + sealedValue[1])
        {
            return null;
        }

        return Encoding.ASCII.GetString(sealedValue.Slice(2, sealedValue[1]));
    }

    /// <summary>Opens a value sealed under <paramref name="key"/>; <see cref="CryptographicException"/> if it was not, or was altered.</summary>
    public static byte[] Open(ConnectionKey key, ReadOnlySpan<byte> sealedValue, string associatedData)
    {
        if (KeyIdOf(sealedValue) != key.KeyId)
        {
            throw new CryptographicException("Sealed under another key.");
        }

        return AesGcmSealer.Open(key.Bytes, sealedValue[(2 + sealedValue[1])..], Encoding.UTF8.GetBytes(associatedData));
    }
}
