using System.Formats.Cbor;

namespace Vault.Core.Providers.Bitwarden.Crypto;

/// <summary>
/// The account's security state (encryption v2): a COSE_Sign1 over the CBOR map <c>{"entityId", "version"}</c>, signed by
/// the user's signing key, plus the same version in clear in the sync answer. The version only grows; each step
/// retires older formats (2: item blobs, URI checksums enforced).
/// </summary>
public static class SecurityState
{
    /// <summary>The highest version this client reads.</summary>
    public const long SupportedVersion = 2;

    /// <summary>The version inside a signed security state (base64 COSE_Sign1). The signature is not checked here.</summary>
    public static long VersionOf(string signedState)
    {
        try
        {
            var reader = new CborReader(Convert.FromBase64String(signedState), CborConformanceMode.Lax);
            if (reader.PeekState() == CborReaderState.Tag)
            {
                reader.ReadTag();
            }

            if (reader.ReadStartArray() != 4)
            {
                throw new EncStringException("Malformed security state.");
            }

            reader.SkipValue(); // protected header
            reader.SkipValue(); // unprotected header
            var payload = new CborReader(reader.ReadByteString(), CborConformanceMode.Lax);
            var map = CborTree.Read(payload, 0) as Dictionary<string, object?>;
            return map?.GetValueOrDefault("version") is long version ? version : throw new EncStringException("Security state without a version.");
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new EncStringException("Malformed security state.");
        }
    }
}
