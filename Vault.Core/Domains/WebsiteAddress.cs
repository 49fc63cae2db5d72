using System.Text.RegularExpressions;

namespace Vault.Core.Domains;

/// <summary>
/// A website address parsed from an item URL or from user input: an <c>http</c>/<c>https</c> URL, or a bare host name as
/// password managers store them (<c>github.com</c>, <c>github.com/login</c>, <c>github.com:8443/x</c>), taken as https.
/// </summary>
/// <param name="Host">Lower-case ASCII (IDN as punycode), no trailing dot, no user info; IPv6 in brackets.</param>
/// <param name="Port">Null when absent or the scheme's default.</param>
/// <param name="RegistrableDomain">eTLD+1 under the Public Suffix List; an IP literal or a single-label host is its own;
/// null when the host is itself a public suffix (<c>co.uk</c>, <c>github.io</c>).</param>
/// <param name="Url">The normalised URL: scheme://host[:port]/path?query, without user info or fragment.</param>
public sealed partial record WebsiteAddress(string Scheme, string Host, int? Port, string? RegistrableDomain, string Url)
{
    private const int MaxInputLength = 2048;

    public static bool TryParse(string? input, out WebsiteAddress address)
    {
        address = null!;
        if (string.IsNullOrWhiteSpace(input) || input.Length > MaxInputLength)
        {
            return false;
        }

        var text = input.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            // "mailto:x", "javascript:…", "androidapp:…" have a scheme; "github.com:8443/x" does not.
            if (OtherScheme().IsMatch(text))
            {
                return false;
            }

            text = "https://" + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) ||
            !HostName.TryNormalize(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost, out var host, out var isIp))
        {
            return false;
        }

        int? port = uri.IsDefaultPort ? null : uri.Port;
        var registrable = isIp ? host : RegistrableOf(host);
        var url = $"{uri.Scheme}://{host}{(port is null ? string.Empty : ":" + port)}{uri.PathAndQuery}";
        address = new WebsiteAddress(uri.Scheme, host, port, registrable, url);
        return true;
    }

    private static string? RegistrableOf(string host)
    {
        var list = PublicSuffixList.Default;
        if (!host.Contains('.'))
        {
            // Intranet names such as "localhost" stand for themselves; a bare TLD ("com") is a public suffix.
            return list.IsListed(host) ? null : host;
        }

        return list.GetRegistrableDomain(host);
    }

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.\-]*:(?!\d+(/|$|\?|#))")]
    private static partial Regex OtherScheme();
}

public static class RegistrableDomain
{
    /// <summary>The registrable domain of a host or URL as a user types it; null when it is not a website address.</summary>
    public static string? FromHostOrUrl(string? input) => WebsiteAddress.TryParse(input, out var address) ? address.RegistrableDomain : null;
}
