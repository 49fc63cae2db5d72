namespace Vault.Core.Providers;

/// <summary>
/// Providers' base64 as their own clients read it: base64url without padding on output (1Password's keys, IVs and
/// ciphertexts), and on input either alphabet, padded or not (1Password, Keeper). The service's own tokens use the strict
/// <see cref="Common.Base64Url"/>.
/// </summary>
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
