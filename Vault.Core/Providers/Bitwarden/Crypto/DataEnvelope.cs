namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>
/// Bitwarden's DataEnvelope: a whole struct as CBOR, padded to at least 64 bytes, in a COSE_Encrypt0 under a
/// single-use content-encryption key (CEK, normally A256GCM; XChaCha20-Poly1305 in older envelopes). The protected
/// header carries content type <c>application/x.bitwarden.cbor-padded</c> and two namespaces that bind it to its use:
/// object namespace (-80002) 2 = DataEnvelope, content namespace (-80001) e.g. 1 = vault item.
/// </summary>
public static class DataEnvelope
{
    public const long ObjectNamespace = 2;
    public const long VaultItemNamespace = 1;
    public const int MinimumPaddedLength = 64;

    /// <summary>Opens an envelope (base64) with its CEK and returns the CBOR it holds.</summary>
    public static byte[] Open(string envelope, SymmetricKey cek, long contentNamespace)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(envelope);
        }
        catch (FormatException)
        {
            throw new EncStringException("Malformed data envelope: bad base64.");
        }

        var message = CoseEncrypt0.Parse(bytes);
        var content = message.Content;
        if (content != CoseContent.CborPadded)
        {
            throw new UnsupportedVaultEncryptionException($"data envelope content type {content}");
        }

        var labels = message.Protected.IntegerLabels;
        if (labels.GetValueOrDefault(Cose.LabelSafeObjectNamespace) != ObjectNamespace ||
            labels.GetValueOrDefault(Cose.LabelSafeContentNamespace) != contentNamespace)
        {
            throw new EncStringException("The data envelope belongs to another namespace.");
        }

        if (!cek.IsCose)
        {
            throw new EncStringException("A data envelope needs a COSE content-encryption key.");
        }

        try
        {
            return Padding.Unpad(message.Decrypt(cek));
        }
        catch (System.Security.Cryptography.CryptographicException ex) when (ex is not EncStringException)
        {
            throw new EncStringException("Data envelope padding is invalid.");
        }
    }

    /// <summary>Seals CBOR as the SDK does (the fake server writes v2 items with it).</summary>
    public static string Seal(byte[] cbor, SymmetricKey cek, long contentNamespace) =>
        Convert.ToBase64String(CoseEncrypt0.Encrypt(cek, CoseContent.CborPadded, Padding.Pad(cbor, MinimumPaddedLength),
            (Cose.LabelSafeObjectNamespace, ObjectNamespace), (Cose.LabelSafeContentNamespace, contentNamespace)));
}
