using System.Security.Cryptography;

namespace Vault.Core.Common;

/// <summary>Random identifiers and keys.</summary>
public static class Ids
{
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new id: <paramref name="prefix"/> + "-" + 26 lower-case base32 characters of 128 random bits.</summary>
    public static string New(string prefix) => $"{prefix}-{RandomBase32(16)}";

    public static string RandomBase32(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        RandomNumberGenerator.Fill(bytes);
        return ToBase32(bytes);
    }

    /// <summary>A secret of 256 random bits, base64url: for API keys and run tokens.</summary>
    public static string NewSecret(string prefix)
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return prefix + Base64Url.Encode(bytes);
    }

    /// <summary>SHA-256 of a high-entropy secret, hex; what is stored instead of the secret.</summary>
    public static string HashSecret(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret)));

    private static string ToBase32(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, index = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[index++] = Base32[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[index++] = Base32[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, index);
    }
}

/// <summary>
/// Strict base64url without padding, for the tokens and cursors this service issues (page tokens, code cursors): at most
/// 4,096 characters, nothing else accepted. Providers' own lenient forms live with the provider.
/// </summary>
public static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static byte[]? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > 4096)
        {
            return null;
        }

        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
