using System.Security.Cryptography;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>
/// A Bitwarden symmetric key: AES-256-CBC encryption key plus HMAC-SHA256 key (64 bytes), or a legacy 32-byte key
/// without MAC (very old accounts' master keys).
/// </summary>
public sealed class SymmetricKey
{
    public SymmetricKey(byte[] encryptionKey, byte[]? macKey)
    {
        if (encryptionKey.Length != 32 || macKey is { Length: not 32 })
        {
            throw new CryptographicException("A symmetric key is 32 bytes of encryption key and 32 bytes of MAC key.");
        }

        EncryptionKey = encryptionKey;
        MacKey = macKey;
    }

    public byte[] EncryptionKey { get; }
    public byte[]? MacKey { get; }

    /// <summary>A key as Bitwarden stores it inside an EncString: 64 bytes (enc ‖ mac) or, legacy, 32 bytes.</summary>
    public static SymmetricKey FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        64 => new SymmetricKey(bytes[..32].ToArray(), bytes[32..].ToArray()),
        32 => new SymmetricKey(bytes.ToArray(), null),
        _ => throw new CryptographicException("Unexpected symmetric key length."),
    };

    /// <summary>The master key stretched with HKDF-Expand (SHA-256) into "enc" and "mac" halves, as the clients do.</summary>
    public static SymmetricKey Stretch(byte[] masterKey)
    {
        var enc = HKDF.Expand(HashAlgorithmName.SHA256, masterKey, 32, "enc"u8.ToArray());
        var mac = HKDF.Expand(HashAlgorithmName.SHA256, masterKey, 32, "mac"u8.ToArray());
        return new SymmetricKey(enc, mac);
    }

    public static SymmetricKey Generate() => FromBytes(RandomNumberGenerator.GetBytes(64));

    public byte[] ToBytes() => MacKey is null ? EncryptionKey.ToArray() : [.. EncryptionKey, .. MacKey];

    public override string ToString() => "SymmetricKey { *** }";
}
