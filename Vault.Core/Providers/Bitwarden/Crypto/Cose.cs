using System.Formats.Cbor;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>What a COSE object of Bitwarden's says its plaintext is (protected header label 3).</summary>
public enum CoseContent
{
    /// <summary><c>application/x.bitwarden.utf8-padded</c>: text, padded to a multiple of 32 bytes.</summary>
    Utf8Padded,

    /// <summary><c>application/x.bitwarden.legacy-key</c>: a 64-byte (or 32-byte) v1 key.</summary>
    LegacyKey,

    /// <summary><c>application/x.bitwarden.spki-public-key</c>.</summary>
    SpkiPublicKey,

    /// <summary>CoAP 284, application/pkcs8: an RSA private key.</summary>
    Pkcs8PrivateKey,

    /// <summary>CoAP 101, application/cose-key: an unpadded COSE_Key.</summary>
    CoseKey,

    /// <summary>CoAP 42, application/octet-stream.</summary>
    OctetStream,

    /// <summary>CoAP 60, application/cbor.</summary>
    Cbor,

    /// <summary><c>application/x.bitwarden.cbor-padded</c>: CBOR padded to at least 64 bytes (data envelopes).</summary>
    CborPadded,

    /// <summary>CoAP 18, COSE_Sign1 (wrapped signing keys, signed objects).</summary>
    CoseSign1,

    /// <summary>CoAP 16, COSE_Encrypt0.</summary>
    CoseEncrypt0,
}

/// <summary>COSE constants Bitwarden uses (RFC 9052 labels, IANA and private-use algorithm values).</summary>
public static class Cose
{
    public const long Aes256Gcm = 3;
    public const long XChaCha20Poly1305 = -70000;
    public const long XAes256Gcm = -70010;
    public const long EdDsa = -8;

    public const long LabelAlgorithm = 1;
    public const long LabelContentType = 3;
    public const long LabelKeyId = 4;
    public const long LabelIv = 5;

    /// <summary>Bitwarden's private-use header labels for domain separation ("safe" objects).</summary>
    public const long LabelSafeObjectNamespace = -80002;
    public const long LabelSafeContentNamespace = -80001;
    public const long LabelSigningNamespace = -80000;

    private const string Utf8PaddedType = "application/x.bitwarden.utf8-padded";
    private const string LegacyKeyType = "application/x.bitwarden.legacy-key";
    private const string SpkiType = "application/x.bitwarden.spki-public-key";
    private const string CborPaddedType = "application/x.bitwarden.cbor-padded";

    /// <summary>The content type a header declares; one this client does not know is reported as unsupported.</summary>
    public static CoseContent ContentOf(CoseHeader header) => header.ContentType switch
    {
        null => throw new EncStringException("COSE object without a content type."),
        Utf8PaddedType => CoseContent.Utf8Padded,
        LegacyKeyType => CoseContent.LegacyKey,
        SpkiType => CoseContent.SpkiPublicKey,
        CborPaddedType => CoseContent.CborPadded,
        284L => CoseContent.Pkcs8PrivateKey,
        101L => CoseContent.CoseKey,
        42L => CoseContent.OctetStream,
        60L => CoseContent.Cbor,
        18L => CoseContent.CoseSign1,
        16L => CoseContent.CoseEncrypt0,
        var other => throw new UnsupportedVaultEncryptionException($"COSE content type {Describe(other)}"),
    };

    /// <summary>The header value for a content type (text for Bitwarden's own types, a CoAP number otherwise).</summary>
    public static object ContentTypeValue(CoseContent content) => content switch
    {
        CoseContent.Utf8Padded => Utf8PaddedType,
        CoseContent.LegacyKey => LegacyKeyType,
        CoseContent.SpkiPublicKey => SpkiType,
        CoseContent.CborPadded => CborPaddedType,
        CoseContent.Pkcs8PrivateKey => 284L,
        CoseContent.CoseKey => 101L,
        CoseContent.OctetStream => 42L,
        CoseContent.Cbor => 60L,
        CoseContent.CoseSign1 => 18L,
        _ => 16L,
    };

    /// <summary>A header value fit for a log line or error message: numbers as is, text cut to printable ASCII.</summary>
    public static string Describe(object value) => value switch
    {
        string text => "\"" + new string(text.Take(80).Where(c => c is >= ' ' and <= '~' and not '"').ToArray()) + "\"",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "?",
    };
}

/// <summary>The PKCS#7-like padding of Bitwarden's v2 formats: N bytes of value N, at least one, at most 255.</summary>
public static class Padding
{
    public static byte[] Pad(ReadOnlySpan<byte> data, int minLength)
    {
        var padding = Math.Max(1, minLength - data.Length);
        if (padding > 255)
        {
            throw new CryptographicException("Padding longer than 255 bytes.");
        }

        var padded = new byte[data.Length + padding];
        data.CopyTo(padded);
        padded.AsSpan(data.Length).Fill((byte)padding);
        return padded;
    }

    /// <summary>Text is padded to the next multiple of 32 bytes (always at least one byte).</summary>
    public static byte[] PadText(ReadOnlySpan<byte> text) => Pad(text, 32 * (1 + (text.Length / 32)));

    public static byte[] Unpad(ReadOnlySpan<byte> padded)
    {
        if (padded.IsEmpty || padded[^1] == 0 || padded[^1] > padded.Length)
        {
            throw new CryptographicException("Invalid padding.");
        }

        return padded[..^padded[^1]].ToArray();
    }
}

/// <summary>The header fields Bitwarden reads; other labels with integer values are kept for the namespace checks.</summary>
public sealed class CoseHeader
{
    public long? Algorithm { get; init; }

    /// <summary>A <c>long</c> (CoAP content format) or a <c>string</c> (media type), or null.</summary>
    public object? ContentType { get; init; }

    public byte[] KeyId { get; init; } = [];
    public byte[]? Iv { get; init; }
    public IReadOnlyDictionary<long, long> IntegerLabels { get; init; } = new Dictionary<long, long>();

    internal static CoseHeader Read(CborReader reader)
    {
        long? algorithm = null;
        object? contentType = null;
        byte[] keyId = [];
        byte[]? iv = null;
        var integers = new Dictionary<long, long>();
        var count = reader.ReadStartMap();
        for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
        {
            if (reader.PeekState() != CborReaderState.UnsignedInteger && reader.PeekState() != CborReaderState.NegativeInteger)
            {
                reader.SkipValue(); // a text label: none that Bitwarden defines
                reader.SkipValue();
                continue;
            }

            var label = reader.ReadInt64();
            switch (label)
            {
                case Cose.LabelAlgorithm when IsInteger(reader):
                    algorithm = reader.ReadInt64();
                    break;
                case Cose.LabelAlgorithm:
                    throw new UnsupportedVaultEncryptionException("COSE algorithm given as text");
                case Cose.LabelContentType when IsInteger(reader):
                    contentType = reader.ReadInt64();
                    break;
                case Cose.LabelContentType:
                    contentType = reader.ReadTextString();
                    break;
                case Cose.LabelKeyId:
                    keyId = reader.ReadByteString();
                    break;
                case Cose.LabelIv:
                    iv = reader.ReadByteString();
                    break;
                default:
                    if (IsInteger(reader))
                    {
                        integers[label] = reader.ReadInt64();
                    }
                    else
                    {
                        reader.SkipValue();
                    }

                    break;
            }
        }

        reader.ReadEndMap();
        return new CoseHeader { Algorithm = algorithm, ContentType = contentType, KeyId = keyId, Iv = iv, IntegerLabels = integers };
    }

    private static bool IsInteger(CborReader reader) => reader.PeekState() is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger;
}

/// <summary>A COSE_Key of kty 4 (symmetric): kid (2), alg (3), key_ops (4), k (-1).</summary>
public sealed record CoseKey(long Algorithm, byte[] KeyId, byte[] Key)
{
    private const long Symmetric = 4;

    public static CoseKey Parse(ReadOnlySpan<byte> encoded)
    {
        try
        {
            var reader = new CborReader(encoded.ToArray(), CborConformanceMode.Lax);
            long? kty = null, alg = null;
            byte[] kid = [];
            byte[]? k = null;
            var count = reader.ReadStartMap();
            for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
            {
                if (reader.PeekState() is not (CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger))
                {
                    reader.SkipValue();
                    reader.SkipValue();
                    continue;
                }

                switch (reader.ReadInt64())
                {
                    case 1 when reader.PeekState() is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger:
                        kty = reader.ReadInt64();
                        break;
                    case 2:
                        kid = reader.ReadByteString();
                        break;
                    case 3 when reader.PeekState() is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger:
                        alg = reader.ReadInt64();
                        break;
                    case -1 when reader.PeekState() == CborReaderState.ByteString:
                        k = reader.ReadByteString();
                        break;
                    default:
                        reader.SkipValue();
                        break;
                }
            }

            reader.ReadEndMap();
            if (reader.BytesRemaining != 0)
            {
                throw new CryptographicException("Trailing bytes after a COSE key.");
            }

            if (kty != Symmetric)
            {
                throw new UnsupportedVaultEncryptionException($"COSE key type {Cose.Describe((object?)kty ?? "none")}");
            }

            if (alg is null || k is null)
            {
                throw new CryptographicException("COSE key without algorithm or key bytes.");
            }

            return new CoseKey(alg.Value, kid, k);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new CryptographicException("Malformed COSE key.");
        }
    }

    public static byte[] Write(long algorithm, byte[] keyId, byte[] key)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(5);
        writer.WriteInt64(1);
        writer.WriteInt64(Symmetric);
        writer.WriteInt64(2);
        writer.WriteByteString(keyId);
        writer.WriteInt64(3);
        writer.WriteInt64(algorithm);
        writer.WriteInt64(4);
        writer.WriteStartArray(4);
        foreach (var op in new long[] { 3, 4, 5, 6 }) // encrypt, decrypt, wrap, unwrap
        {
            writer.WriteInt64(op);
        }

        writer.WriteEndArray();
        writer.WriteInt64(-1);
        writer.WriteByteString(key);
        writer.WriteEndMap();
        return writer.Encode();
    }

    public override string ToString() => $"CoseKey {{ Algorithm = {Algorithm}, *** }}";
}

/// <summary>
/// COSE_Encrypt0 (RFC 9052 §5.2): <c>[protected: bstr, unprotected: map, ciphertext: bstr]</c>, untagged as Bitwarden
/// writes it (tag 16 is accepted). The AEAD's associated data is the Enc_structure
/// <c>["Encrypt0", protected, external_aad = h'']</c>; the nonce is the <c>iv</c> header.
/// </summary>
public sealed class CoseEncrypt0
{
    private CoseEncrypt0(byte[] protectedBytes, CoseHeader protectedHeader, CoseHeader unprotectedHeader, byte[] ciphertext)
    {
        ProtectedBytes = protectedBytes;
        Protected = protectedHeader;
        Unprotected = unprotectedHeader;
        Ciphertext = ciphertext;
    }

    public byte[] ProtectedBytes { get; }
    public CoseHeader Protected { get; }
    public CoseHeader Unprotected { get; }
    public byte[] Ciphertext { get; }

    public static CoseEncrypt0 Parse(ReadOnlySpan<byte> encoded)
    {
        try
        {
            var reader = new CborReader(encoded.ToArray(), CborConformanceMode.Lax);
            if (reader.PeekState() == CborReaderState.Tag && reader.ReadTag() != (CborTag)16)
            {
                throw new EncStringException("Malformed COSE_Encrypt0: unexpected tag.");
            }

            if (reader.ReadStartArray() != 3)
            {
                throw new EncStringException("Malformed COSE_Encrypt0: not three elements.");
            }

            var protectedBytes = reader.ReadByteString();
            var protectedHeader = protectedBytes.Length == 0
                ? new CoseHeader()
                : ReadHeaderBytes(protectedBytes);
            var unprotectedHeader = CoseHeader.Read(reader);
            var ciphertext = reader.ReadByteString();
            reader.ReadEndArray();
            if (reader.BytesRemaining != 0)
            {
                throw new EncStringException("Malformed COSE_Encrypt0: trailing bytes.");
            }

            return new CoseEncrypt0(protectedBytes, protectedHeader, unprotectedHeader, ciphertext);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new EncStringException("Malformed COSE_Encrypt0.");
        }
    }

    private static CoseHeader ReadHeaderBytes(byte[] bytes)
    {
        var reader = new CborReader(bytes, CborConformanceMode.Lax);
        var header = CoseHeader.Read(reader);
        return reader.BytesRemaining == 0 ? header : throw new EncStringException("Malformed COSE header.");
    }

    /// <summary>The protected content type (unknown ones throw <see cref="UnsupportedVaultEncryptionException"/>).</summary>
    public CoseContent Content => Cose.ContentOf(Protected);

    /// <summary>
    /// Authenticates and decrypts with a v2 key: the protected algorithm must be one this client knows (else
    /// unsupported) and the key's, and the protected <c>kid</c> the key's id. Returns the plaintext as stored (still
    /// padded where the content type pads).
    /// </summary>
    public byte[] Decrypt(SymmetricKey key)
    {
        var algorithm = Protected.Algorithm ?? throw new EncStringException("COSE_Encrypt0 without a protected algorithm.");
        var kind = algorithm switch
        {
            Cose.XAes256Gcm => SymmetricKeyKind.XAes256Gcm,
            Cose.XChaCha20Poly1305 => SymmetricKeyKind.XChaCha20Poly1305,
            Cose.Aes256Gcm => SymmetricKeyKind.Aes256Gcm,
            _ => throw new UnsupportedVaultEncryptionException($"COSE algorithm {algorithm}"),
        };
        if (key.Kind != kind)
        {
            throw new EncStringException($"COSE algorithm {algorithm} does not match the key.");
        }

        if (key.KeyId is null || !CryptographicOperations.FixedTimeEquals(key.KeyId, Protected.KeyId))
        {
            throw new EncStringException("COSE key id does not match the key.");
        }

        var nonce = Unprotected.Iv ?? Protected.Iv ?? throw new EncStringException("COSE_Encrypt0 without a nonce.");
        var aad = EncStructure(ProtectedBytes);
        try
        {
            return kind switch
            {
                SymmetricKeyKind.XAes256Gcm when nonce.Length == XAes256Gcm.NonceSize => XAes256Gcm.Decrypt(key.EncryptionKey, nonce, Ciphertext, aad),
                SymmetricKeyKind.XChaCha20Poly1305 when nonce.Length == 24 => XChaCha(key, nonce, aad),
                SymmetricKeyKind.Aes256Gcm when nonce.Length == 12 && Ciphertext.Length >= 16 => AesGcmDecrypt(key, nonce, aad),
                _ => throw new EncStringException("COSE_Encrypt0 nonce of the wrong length."),
            };
        }
        catch (CryptographicException ex) when (ex is not EncStringException)
        {
            throw new EncStringException("COSE_Encrypt0 does not decrypt.");
        }
    }

    private byte[] XChaCha(SymmetricKey key, byte[] nonce, byte[] aad)
    {
        var algorithm = AeadAlgorithm.XChaCha20Poly1305;
        using var nsecKey = Key.Import(algorithm, key.EncryptionKey, KeyBlobFormat.RawSymmetricKey);
        return algorithm.Decrypt(nsecKey, nonce, aad, Ciphertext) ?? throw new EncStringException("COSE_Encrypt0 does not decrypt.");
    }

    private byte[] AesGcmDecrypt(SymmetricKey key, byte[] nonce, byte[] aad)
    {
        using var gcm = new AesGcm(key.EncryptionKey, 16);
        var length = Ciphertext.Length - 16;
        var plaintext = new byte[length];
        gcm.Decrypt(nonce, Ciphertext.AsSpan(0, length), Ciphertext.AsSpan(length), plaintext, aad);
        return plaintext;
    }

    /// <summary>Encrypts as Bitwarden's clients do (the fake server and tests write v2 data with it).</summary>
    public static byte[] Encrypt(SymmetricKey key, CoseContent content, ReadOnlySpan<byte> plaintext, params (long Label, long Value)[] extraProtected)
    {
        var algorithm = SymmetricKey.AlgorithmOf(key.Kind);
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(3 + extraProtected.Length);
        writer.WriteInt64(Cose.LabelAlgorithm);
        writer.WriteInt64(algorithm);
        writer.WriteInt64(Cose.LabelContentType);
        switch (Cose.ContentTypeValue(content))
        {
            case string text:
                writer.WriteTextString(text);
                break;
            case long number:
                writer.WriteInt64(number);
                break;
        }

        writer.WriteInt64(Cose.LabelKeyId);
        writer.WriteByteString(key.KeyId!);
        foreach (var (label, value) in extraProtected)
        {
            writer.WriteInt64(label);
            writer.WriteInt64(value);
        }

        writer.WriteEndMap();
        var protectedBytes = writer.Encode();
        var aad = EncStructure(protectedBytes);
        var nonce = RandomNumberGenerator.GetBytes(key.Kind == SymmetricKeyKind.Aes256Gcm ? 12 : 24);
        byte[] ciphertext;
        switch (key.Kind)
        {
            case SymmetricKeyKind.XAes256Gcm:
                ciphertext = XAes256Gcm.Encrypt(key.EncryptionKey, nonce, plaintext, aad);
                break;
            case SymmetricKeyKind.XChaCha20Poly1305:
                using (var nsecKey = Key.Import(AeadAlgorithm.XChaCha20Poly1305, key.EncryptionKey, KeyBlobFormat.RawSymmetricKey))
                {
                    ciphertext = AeadAlgorithm.XChaCha20Poly1305.Encrypt(nsecKey, nonce, aad, plaintext);
                }

                break;
            default:
                using (var gcm = new AesGcm(key.EncryptionKey, 16))
                {
                    ciphertext = new byte[plaintext.Length + 16];
                    gcm.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), aad);
                }

                break;
        }

        var message = new CborWriter(CborConformanceMode.Lax);
        message.WriteStartArray(3);
        message.WriteByteString(protectedBytes);
        message.WriteStartMap(1);
        message.WriteInt64(Cose.LabelIv);
        message.WriteByteString(nonce);
        message.WriteEndMap();
        message.WriteByteString(ciphertext);
        message.WriteEndArray();
        return message.Encode();
    }

    /// <summary>RFC 9052 §5.3 Enc_structure for COSE_Encrypt0 with empty external AAD.</summary>
    public static byte[] EncStructure(byte[] protectedBytes)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartArray(3);
        writer.WriteTextString("Encrypt0");
        writer.WriteByteString(protectedBytes);
        writer.WriteByteString([]);
        writer.WriteEndArray();
        return writer.Encode();
    }

    /// <summary>Description of the header for logs: algorithm and content type, never key material.</summary>
    public override string ToString() =>
        $"COSE_Encrypt0 {{ alg = {Protected.Algorithm}, content = {(Protected.ContentType is null ? "none" : Cose.Describe(Protected.ContentType))} }}";
}
