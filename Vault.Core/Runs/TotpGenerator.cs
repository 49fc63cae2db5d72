using System.Globalization;
using System.Security.Cryptography;
using OtpNet;

namespace Vault.Core.Runs;

/// <summary>A current one-time code and when it stops being valid.</summary>
public sealed record TotpCode(string Code, DateTimeOffset ExpiresAt)
{
    public override string ToString() => "TotpCode { *** }";
}

/// <summary>
/// Time-based one-time codes (RFC 6238) from what password managers store: <c>otpauth://totp/…</c> URIs with their
/// algorithm, digits and period; bare base32 secrets (SHA-1, 6 digits, 30 s); and Steam Guard (<c>steam://SECRET</c>,
/// 5 characters from Steam's alphabet).
/// </summary>
public static class TotpGenerator
{
    private const string SteamAlphabet = "23456789BCDFGHJKMNPQRTVWXY";

    /// <summary>The current code, or null when the stored value is not a usable TOTP secret.</summary>
    public static TotpCode? Compute(string? stored, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(stored) || stored.Length > 4096)
        {
            return null;
        }

        var value = stored.Trim();
        if (value.StartsWith("steam://", StringComparison.OrdinalIgnoreCase))
        {
            return Steam(value["steam://".Length..], now);
        }

        var (secret, mode, digits, period) = value.StartsWith("otpauth://", StringComparison.OrdinalIgnoreCase)
            ? ParseUri(value)
            : (value, OtpHashMode.Sha1, 6, 30);
        var key = DecodeBase32(secret);
        if (key is null || digits is < 6 or > 10 || period is < 1 or > 3600 || mode is null)
        {
            return null;
        }

        var totp = new OtpNet.Totp(key, period, mode.Value, digits);
        var code = totp.ComputeTotp(now.UtcDateTime);
        return new TotpCode(code, NextStep(now, period));
    }

    private static (string Secret, OtpHashMode? Mode, int Digits, int Period) ParseUri(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || !uri.Host.Equals("totp", StringComparison.OrdinalIgnoreCase))
        {
            return (string.Empty, null, 0, 0);
        }

        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        var mode = (query["algorithm"] ?? "SHA1").ToUpperInvariant() switch
        {
            "SHA1" => OtpHashMode.Sha1,
            "SHA256" => OtpHashMode.Sha256,
            "SHA512" => OtpHashMode.Sha512,
            _ => (OtpHashMode?)null,
        };
        var digits = int.TryParse(query["digits"], NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : 6;
        var period = int.TryParse(query["period"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : 30;
        return (query["secret"] ?? string.Empty, mode, digits, period);
    }

    /// <summary>Steam Guard: HMAC-SHA1 TOTP with a 30 s step, the truncated value written in base 26 of Steam's alphabet.</summary>
    private static TotpCode? Steam(string secret, DateTimeOffset now)
    {
        var key = DecodeBase32(secret);
        if (key is null)
        {
            return null;
        }

        var counter = now.ToUnixTimeSeconds() / 30;
        Span<byte> message = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message, counter);
        Span<byte> hash = stackalloc byte[20];
        HMACSHA1.HashData(key, message, hash);
        var offset = hash[19] & 0x0F;
        var full = ((hash[offset] & 0x7F) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var chars = new char[5];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = SteamAlphabet[full % SteamAlphabet.Length];
            full /= SteamAlphabet.Length;
        }

        return new TotpCode(new string(chars), NextStep(now, 30));
    }

    private static DateTimeOffset NextStep(DateTimeOffset now, int period) =>
        DateTimeOffset.FromUnixTimeSeconds((now.ToUnixTimeSeconds() / period + 1) * period);

    private static byte[]? DecodeBase32(string secret)
    {
        var cleaned = secret.Replace(" ", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal)
            .TrimEnd('=').ToUpperInvariant();
        if (cleaned.Length == 0 || cleaned.Any(c => c is not ((>= 'A' and <= 'Z') or (>= '2' and <= '7'))))
        {
            return null;
        }

        try
        {
            var bytes = Base32Encoding.ToBytes(cleaned);
            return bytes.Length == 0 ? null : bytes;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
