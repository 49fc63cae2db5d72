using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vault.Core.Domains;

/// <summary>Host names as the cache compares them: lower-case ASCII (IDN as punycode), no trailing dot.</summary>
public static class HostName
{
    private const int MaxLength = 253;
    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = false };

    /// <summary>Normalises a DNS host name or IP literal; false for anything that is neither.</summary>
    public static bool TryNormalize(string? host, out string normalized, out bool isIp)
    {
        normalized = string.Empty;
        isIp = false;
        if (string.IsNullOrEmpty(host) || host.Length > 1024)
        {
            return false;
        }

        var trimmed = host.EndsWith('.') ? host[..^1] : host;
        var unbracketed = trimmed.StartsWith('[') && trimmed.EndsWith(']') ? trimmed[1..^1] : trimmed;
        if (IPAddress.TryParse(unbracketed, out var ip) && (unbracketed.Contains(':') || IsDottedQuad(unbracketed)))
        {
            isIp = true;
            normalized = ip.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + ip + "]" : ip.ToString();
            return true;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(trimmed).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (ascii.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var label in ascii.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' ||
                label.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-_") >= 0)
            {
                return false;
            }
        }

        normalized = ascii;
        return true;
    }

    private static bool IsDottedQuad(string text) => text.Count(c => c == '.') == 3 && text.All(c => c == '.' || char.IsAsciiDigit(c));
}
