namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>Base64url without padding, as 1Password's JSON uses for keys, IVs and ciphertexts (padding tolerated on input).</summary>
internal static class LenientBase64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes base64url (or, leniently, standard base64) text; null when it is not base64 at all.</summary>
    public static byte[]? TryDecode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var normalized = text.Trim().TrimEnd('=').Replace('+', '-').Replace('/', '_');
        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(normalized);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
