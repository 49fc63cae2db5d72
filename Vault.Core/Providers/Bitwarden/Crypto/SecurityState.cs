using System.Formats.Cbor;
using NSec.Cryptography;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>
/// The account's security state (encryption v2): a COSE_Sign1 over the CBOR map <c>{"entityId", "version"}</c>, signed by
/// the user's Ed25519 signing key under signing namespace 2, plus the same version in clear in the sync answer. The
/// version only grows; each step retires older formats (2: item blobs, URI checksums enforced).
/// </summary>
public static class SecurityState
{
    /// <summary>The highest version this client reads.</summary>
    public const long SupportedVersion = 2;

    /// <summary>Signing namespaces (protected header -80000) of Bitwarden's signed objects.</summary>
    public const long SignedPublicKeyNamespace = 1;
    public const long SecurityStateNamespace = 2;

    /// <summary>The version inside a signed security state (base64 COSE_Sign1), without checking the signature.</summary>
    public static long VersionOf(string signedState) => VersionIn(CoseSign1.Parse(signedState).Payload);

    /// <summary>
    /// The version inside a signed security state whose signature verifies under the public half of the user's signing
    /// key (the type-7 wrapped signing key opens under the user key, so the server cannot substitute its own).
    /// </summary>
    public static long VerifiedVersionOf(string signedState, string wrappedSigningKey, SymmetricKey userKey)
    {
        var publicKey = SigningKeys.PublicKeyOf(wrappedSigningKey, userKey);
        return VersionIn(CoseSign1.Parse(signedState).Verify(publicKey, SecurityStateNamespace));
    }

    private static long VersionIn(byte[] payload)
    {
        try
        {
            var map = CborTree.Read(new CborReader(payload, CborConformanceMode.Lax), 0) as Dictionary<string, object?>;
            return map?.GetValueOrDefault("version") is long version ? version : throw new EncStringException("Security state without a version.");
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new EncStringException("Malformed security state.");
        }
    }
}

/// <summary>The user's signing key (encryption v2): a COSE_Key of kty OKP, Ed25519, wrapped as a type-7 EncString.</summary>
public static class SigningKeys
{
    /// <summary>The 32-byte Ed25519 public key of the wrapped signing key; other signature algorithms are unsupported.</summary>
    public static byte[] PublicKeyOf(string wrappedSigningKey, SymmetricKey userKey)
    {
        var (plaintext, content) = EncString.OpenCose(wrappedSigningKey, userKey);
        if (content != CoseContent.CoseKey)
        {
            throw new UnsupportedVaultEncryptionException($"signing key of content type {content}");
        }

        Dictionary<string, object?> key;
        try
        {
            key = CborTree.Read(new CborReader(plaintext, CborConformanceMode.Lax), 0) as Dictionary<string, object?>
                ?? throw new EncStringException("Malformed signing key.");
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new EncStringException("Malformed signing key.");
        }

        // COSE_Key labels: 1 kty (1 = OKP), 3 alg (-8 = EdDSA), -1 crv (6 = Ed25519), -4 d.
        if (key.GetValueOrDefault("1") is not 1L || key.GetValueOrDefault("3") is not Cose.EdDsa || key.GetValueOrDefault("-1") is not 6L)
        {
            throw new UnsupportedVaultEncryptionException(
                $"signing key type {Cose.Describe(key.GetValueOrDefault("1") ?? "none")}, algorithm {Cose.Describe(key.GetValueOrDefault("3") ?? "none")}");
        }

        if (key.GetValueOrDefault("-4") is not byte[] { Length: 32 } seed)
        {
            throw new EncStringException("Malformed Ed25519 signing key.");
        }

        using var signing = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        return signing.PublicKey.Export(KeyBlobFormat.RawPublicKey);
    }
}

/// <summary>COSE_Sign1 (RFC 9052 §4.2) as Bitwarden signs objects: EdDSA, a signing namespace in the protected header.</summary>
public sealed class CoseSign1
{
    private CoseSign1(byte[] protectedBytes, CoseHeader protectedHeader, byte[] payload, byte[] signature)
    {
        ProtectedBytes = protectedBytes;
        Protected = protectedHeader;
        Payload = payload;
        Signature = signature;
    }

    public byte[] ProtectedBytes { get; }
    public CoseHeader Protected { get; }
    public byte[] Payload { get; }
    public byte[] Signature { get; }

    public static CoseSign1 Parse(string base64)
    {
        try
        {
            var reader = new CborReader(Convert.FromBase64String(base64), CborConformanceMode.Lax);
            if (reader.PeekState() == CborReaderState.Tag && reader.ReadTag() != (CborTag)18)
            {
                throw new EncStringException("Malformed COSE_Sign1: unexpected tag.");
            }

            if (reader.ReadStartArray() != 4)
            {
                throw new EncStringException("Malformed COSE_Sign1.");
            }

            var protectedBytes = reader.ReadByteString();
            var header = CoseHeader.Read(new CborReader(protectedBytes, CborConformanceMode.Lax));
            reader.SkipValue(); // unprotected header
            var payload = reader.ReadByteString();
            var signature = reader.ReadByteString();
            reader.ReadEndArray();
            return new CoseSign1(protectedBytes, header, payload, signature);
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new EncStringException("Malformed COSE_Sign1.");
        }
    }

    /// <summary>
    /// Checks the namespace and the Ed25519 signature over the Sig_structure
    /// <c>["Signature1", protected, external_aad = h'', payload]</c> and returns the payload.
    /// </summary>
    public byte[] Verify(byte[] ed25519PublicKey, long signingNamespace)
    {
        if (Protected.Algorithm != Cose.EdDsa)
        {
            throw new UnsupportedVaultEncryptionException($"signature algorithm {Cose.Describe((object?)Protected.Algorithm ?? "none")}");
        }

        if (Protected.IntegerLabels.GetValueOrDefault(Cose.LabelSigningNamespace) != signingNamespace)
        {
            throw new EncStringException("The signed object belongs to another signing namespace.");
        }

        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(ProtectedBytes);
        writer.WriteByteString([]);
        writer.WriteByteString(Payload);
        writer.WriteEndArray();
        var publicKey = PublicKey.Import(SignatureAlgorithm.Ed25519, ed25519PublicKey, KeyBlobFormat.RawPublicKey);
        return SignatureAlgorithm.Ed25519.Verify(publicKey, writer.Encode(), Signature)
            ? Payload
            : throw new EncStringException("The signature does not verify.");
    }
}
