using System.Text.RegularExpressions;

namespace Vault.Core.Domains;

/// <summary>
/// Whether an item URI applies to the site a run is on, by the URI's match rule, as Bitwarden's clients decide it:
/// Domain (the default) by registrable domain, Host by host and port, StartsWith and Exact on the URL text,
/// RegularExpression case-insensitively with a timeout, Never not at all. 1Password's "host" maps to Host.
/// </summary>
public static class SiteMatcher
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    public static bool Matches(string itemUri, UriMatch match, string siteUrlOrHost)
    {
        switch (match)
        {
            case UriMatch.Never:
                return false;
            case UriMatch.StartsWith:
                return siteUrlOrHost.StartsWith(itemUri, StringComparison.Ordinal);
            case UriMatch.Exact:
                return string.Equals(siteUrlOrHost, itemUri, StringComparison.Ordinal);
            case UriMatch.RegularExpression:
                try
                {
                    return Regex.IsMatch(siteUrlOrHost, itemUri, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, RegexTimeout);
                }
                catch (Exception ex) when (ex is ArgumentException or RegexMatchTimeoutException)
                {
                    return false;
                }
        }

        if (!WebsiteAddress.TryParse(itemUri, out var item) || !WebsiteAddress.TryParse(siteUrlOrHost, out var site))
        {
            return false;
        }

        return match == UriMatch.Host
            ? item.Host == site.Host && item.Port == site.Port
            : item.RegistrableDomain is not null && item.RegistrableDomain == site.RegistrableDomain;
    }
}
