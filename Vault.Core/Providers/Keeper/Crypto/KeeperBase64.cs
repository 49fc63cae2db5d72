namespace Vault.Core.Providers.Keeper.Crypto;

/// <summary>
/// Keeper's JSON carries binary values both as standard base64 (keys, record data) and as base64url (tokens, app data,
/// server keys); its SDK reads either form everywhere, and so does this.
/// </summary>
internal static class KeeperBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data);

    public static string EncodeUrl(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>The bytes of standard or url-safe base64, padded or not; null when it is neither, or blank.</summary>
    public static byte[]? TryDecode(string? text) => string.IsNullOrWhiteSpace(text) ? null : LenientBase64Url.TryDecode(text);

    public static byte[] Decode(string? text) => TryDecode(text) ?? throw new KeeperCryptoException("a value is not base64");
}
