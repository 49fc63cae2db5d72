using System.Security.Cryptography;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>What a symmetric key is for: the v1 AES-CBC keys, or a v2 COSE key naming its AEAD.</summary>
public enum SymmetricKeyKind
{
    /// <summary>AES-256-CBC with HMAC-SHA256 (64 bytes: enc ‖ mac).</summary>
    AesCbcHmac,

    /// <summary>AES-256-CBC without MAC (legacy, 32 bytes).</summary>
    AesCbc,

    /// <summary>COSE key, algorithm -70010 (XAES-256-GCM): the v2 user key.</summary>
    XAes256Gcm,

    /// <summary>COSE key, algorithm -70000 (XChaCha20-Poly1305).</summary>
    XChaCha20Poly1305,

    /// <summary>COSE key, algorithm 3 (A256GCM): content-encryption keys of data envelopes.</summary>
    Aes256Gcm,
}

/// <summary>
/// A Bitwarden symmetric key. Encryption v1: AES-256-CBC encryption key plus HMAC-SHA256 key (64 bytes) or a legacy
/// 32-byte key without MAC. Encryption v2: a COSE_Key (RFC 9052) with a key id and an AEAD algorithm; stored inside
/// a type-2 EncString or an RSA-wrapped blob it is padded past 64 bytes so it cannot be mistaken for a v1 key.
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
        Kind = macKey is null ? SymmetricKeyKind.AesCbc : SymmetricKeyKind.AesCbcHmac;
    }

    private SymmetricKey(SymmetricKeyKind kind, byte[] key, byte[] keyId)
    {
        EncryptionKey = key;
        Kind = kind;
        KeyId = keyId;
    }

    public SymmetricKeyKind Kind { get; }
    public byte[] EncryptionKey { get; }
    public byte[]? MacKey { get; }

    /// <summary>The COSE key id (v2 keys only); an encrypted object's <c>kid</c> must equal it.</summary>
    public byte[]? KeyId { get; }

    public bool IsCose => Kind is SymmetricKeyKind.XAes256Gcm or SymmetricKeyKind.XChaCha20Poly1305 or SymmetricKeyKind.Aes256Gcm;

    /// <summary>
    /// A key as Bitwarden stores it inside an EncString or RSA blob: 64 bytes (enc ‖ mac), legacy 32 bytes, or a padded
    /// COSE_Key (longer than 64 bytes).
    /// </summary>
    public static SymmetricKey FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        64 => new SymmetricKey(bytes[..32].ToArray(), bytes[32..].ToArray()),
        32 => new SymmetricKey(bytes.ToArray(), null),
        > 64 => FromCoseKey(Padding.Unpad(bytes)),
        _ => throw new CryptographicException("Unexpected symmetric key length."),
    };

    /// <summary>An unpadded COSE_Key map: kty 4 (symmetric), kid, alg, key_ops, k.</summary>
    public static SymmetricKey FromCoseKey(ReadOnlySpan<byte> coseKey)
    {
        var key = CoseKey.Parse(coseKey);
        var kind = key.Algorithm switch
        {
            Cose.XAes256Gcm => SymmetricKeyKind.XAes256Gcm,
            Cose.XChaCha20Poly1305 => SymmetricKeyKind.XChaCha20Poly1305,
            Cose.Aes256Gcm => SymmetricKeyKind.Aes256Gcm,
            _ => throw new UnsupportedVaultEncryptionException($"COSE key algorithm {key.Algorithm}"),
        };
        if (key.Key.Length != 32 || key.KeyId.Length != 16)
        {
            throw new CryptographicException("A COSE symmetric key has a 32-byte key and a 16-byte key id.");
        }

        return new SymmetricKey(kind, key.Key, key.KeyId);
    }

    /// <summary>The master key stretched with HKDF-Expand (SHA-256) into "enc" and "mac" halves, as the clients do.</summary>
    public static SymmetricKey Stretch(byte[] masterKey)
    {
        var enc = HKDF.Expand(HashAlgorithmName.SHA256, masterKey, 32, "enc"u8.ToArray());
        var mac = HKDF.Expand(HashAlgorithmName.SHA256, masterKey, 32, "mac"u8.ToArray());
        return new SymmetricKey(enc, mac);
    }

    public static SymmetricKey Generate() => FromBytes(RandomNumberGenerator.GetBytes(64));

    /// <summary>A fresh v2 key (the fake server and tests make accounts and items with it).</summary>
    public static SymmetricKey GenerateCose(SymmetricKeyKind kind) =>
        new(kind is SymmetricKeyKind.AesCbc or SymmetricKeyKind.AesCbcHmac ? throw new ArgumentOutOfRangeException(nameof(kind)) : kind,
            RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(16));

    /// <summary>
    /// The stored form: v1 keys as raw bytes; v2 keys as a COSE_Key padded to at least 65 bytes (what a type-2 EncString
    /// or an RSA blob carries).
    /// </summary>
    public byte[] ToBytes() => Kind switch
    {
        SymmetricKeyKind.AesCbc => EncryptionKey.ToArray(),
        SymmetricKeyKind.AesCbcHmac => [.. EncryptionKey, .. MacKey!],
        _ => Padding.Pad(ToCoseKey(), 65),
    };

    /// <summary>The unpadded COSE_Key of a v2 key (what a type-7 EncString with content format COSE_Key carries).</summary>
    public byte[] ToCoseKey() => IsCose
        ? CoseKey.Write(AlgorithmOf(Kind), KeyId!, EncryptionKey)
        : throw new InvalidOperationException("Only v2 keys have a COSE form.");

    internal static long AlgorithmOf(SymmetricKeyKind kind) => kind switch
    {
        SymmetricKeyKind.XAes256Gcm => Cose.XAes256Gcm,
        SymmetricKeyKind.XChaCha20Poly1305 => Cose.XChaCha20Poly1305,
        SymmetricKeyKind.Aes256Gcm => Cose.Aes256Gcm,
        _ => throw new InvalidOperationException("Not a COSE key."),
    };

    public override string ToString() => "SymmetricKey { *** }";
}
