using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Vault.Core.Domains;

/// <summary>URI rules that could not be used in one read (a pattern too long or of a kind the linear engine refuses).</summary>
public sealed class UriRuleSkips
{
    private int _count;

    public int Count => _count;

    public void Add() => Interlocked.Increment(ref _count);
}

/// <summary>
/// Whether an item URI applies to the site a run is on, by the URI's match rule, as Bitwarden's clients decide it:
/// Domain (the default) by registrable domain, Host by host and port, StartsWith and Exact on the URL text,
/// RegularExpression case-insensitively, Never not at all. 1Password's "host" maps to Host. A site given as a bare host
/// is also tried as its page URL (<c>https://host/</c>), since the text rules are written against URLs.
/// Regular expressions run on .NET's non-backtracking engine (time linear in the input, whatever the pattern), are
/// compiled once per pattern text, and are refused above <see cref="MaxPatternLength"/> characters or when they use
/// what that engine cannot do (backreferences, lookarounds): such a rule matches nothing and is counted.
/// </summary>
public static class SiteMatcher
{
    public const int MaxPatternLength = 1000;
    private const int MaxCompiled = 10_000;
    private static readonly ConcurrentDictionary<string, Regex?> Compiled = new(StringComparer.Ordinal);

    public static bool Matches(string itemUri, UriMatch match, string siteUrlOrHost, UriRuleSkips? skips = null)
    {
        switch (match)
        {
            case UriMatch.Never:
                return false;
            case UriMatch.StartsWith:
                return Candidates(siteUrlOrHost).Any(site => site.StartsWith(itemUri, StringComparison.Ordinal));
            case UriMatch.Exact:
                return Candidates(siteUrlOrHost).Any(site => string.Equals(site, itemUri, StringComparison.Ordinal));
            case UriMatch.RegularExpression:
                if (Compile(itemUri) is not { } regex)
                {
                    skips?.Add();
                    return false;
                }

                return Candidates(siteUrlOrHost).Any(regex.IsMatch);
        }

        if (!WebsiteAddress.TryParse(itemUri, out var item) || !WebsiteAddress.TryParse(siteUrlOrHost, out var site))
        {
            return false;
        }

        return match == UriMatch.Host
            ? item.Host == site.Host && item.Port == site.Port
            : item.RegistrableDomain is not null && item.RegistrableDomain == site.RegistrableDomain;
    }

    /// <summary>The pattern compiled for the linear engine, or null when it is too long or not supported by it.</summary>
    public static Regex? Compile(string pattern)
    {
        if (Compiled.TryGetValue(pattern, out var known))
        {
            return known;
        }

        Regex? regex = null;
        if (pattern.Length <= MaxPatternLength)
        {
            try
            {
                regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
            {
                regex = null;
            }
        }

        if (Compiled.Count >= MaxCompiled)
        {
            Compiled.Clear(); // cheap, and a miss only costs one compilation
        }

        Compiled[pattern] = regex;
        return regex;
    }

    private static IEnumerable<string> Candidates(string siteUrlOrHost)
    {
        yield return siteUrlOrHost;
        if (!siteUrlOrHost.Contains("://", StringComparison.Ordinal) && !siteUrlOrHost.Contains('/', StringComparison.Ordinal))
        {
            yield return "https://" + siteUrlOrHost + "/";
        }
    }
}
