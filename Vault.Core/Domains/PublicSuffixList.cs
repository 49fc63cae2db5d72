using System.Globalization;
using System.Reflection;

namespace Vault.Core.Domains;

/// <summary>
/// The Public Suffix List (ICANN and private sections): normal, wildcard (<c>*.ck</c>) and exception (<c>!www.ck</c>)
/// rules, matched by the list's own algorithm (the longest prevailing rule; exceptions win; unlisted TLDs are public
/// suffixes by the default rule <c>*</c>). The data ships embedded (<c>public_suffix_list.dat</c>, taken from the
/// official list through Debian's <c>publicsuffix</c> package, 2023-02-09 snapshot); <c>scripts/update-public-suffix-list.sh</c> refreshes it.
/// </summary>
public sealed class PublicSuffixList
{
    private static readonly Lazy<PublicSuffixList> Embedded = new(LoadEmbedded);
    private readonly HashSet<string> _rules = new(StringComparer.Ordinal);
    private readonly HashSet<string> _wildcards = new(StringComparer.Ordinal);
    private readonly HashSet<string> _exceptions = new(StringComparer.Ordinal);

    private PublicSuffixList()
    {
    }

    public static PublicSuffixList Default => Embedded.Value;

    public int RuleCount => _rules.Count + _wildcards.Count + _exceptions.Count;

    public static PublicSuffixList Parse(TextReader reader)
    {
        var list = new PublicSuffixList();
        var idn = new IdnMapping();
        while (reader.ReadLine() is { } line)
        {
            // A rule is the first whitespace-delimited token of a line that is not a comment.
            var rule = line.Trim().Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
            if (rule is null || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            if (rule.StartsWith('!'))
            {
                list._exceptions.Add(ToAscii(idn, rule[1..]));
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                list._wildcards.Add(ToAscii(idn, rule[2..]));
            }
            else
            {
                list._rules.Add(ToAscii(idn, rule));
            }
        }

        return list;
    }

    /// <summary>The public suffix of a lower-case ASCII host (labels separated by single dots).</summary>
    public string GetPublicSuffix(string asciiLowerHost)
    {
        var host = asciiLowerHost.AsSpan();
        var start = 0;
        while (true)
        {
            var suffix = asciiLowerHost[start..];
            var dot = host[start..].IndexOf('.');
            var parent = dot < 0 ? null : asciiLowerHost[(start + dot + 1)..];
            if (_exceptions.Contains(suffix))
            {
                return parent ?? suffix;
            }

            if (_rules.Contains(suffix) || (parent is not null && _wildcards.Contains(parent)))
            {
                return suffix;
            }

            if (parent is null)
            {
                return suffix; // the default rule "*": the last label
            }

            start += dot + 1;
        }
    }

    /// <summary>The registrable domain (public suffix plus one label), or null when the host is itself a public suffix.</summary>
    public string? GetRegistrableDomain(string asciiLowerHost)
    {
        if (asciiLowerHost.Length == 0 || asciiLowerHost[0] == '.' || asciiLowerHost.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        var suffix = GetPublicSuffix(asciiLowerHost);
        if (suffix.Length >= asciiLowerHost.Length)
        {
            return null;
        }

        var head = asciiLowerHost.AsSpan(0, asciiLowerHost.Length - suffix.Length - 1);
        var labelStart = head.LastIndexOf('.') + 1;
        return asciiLowerHost[labelStart..];
    }

    /// <summary>True when the host is itself a rule of the list (not only by the default rule).</summary>
    public bool IsListed(string asciiLowerHost) => _rules.Contains(asciiLowerHost) || _exceptions.Contains(asciiLowerHost);

    private static string ToAscii(IdnMapping idn, string rule)
    {
        try
        {
            return idn.GetAscii(rule).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return rule.ToLowerInvariant();
        }
    }

    private static PublicSuffixList LoadEmbedded()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Vault.Core.Domains.public_suffix_list.dat")
            ?? throw new InvalidOperationException("The embedded Public Suffix List is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
