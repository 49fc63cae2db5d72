using System.Diagnostics;
using Vault.Core.Domains;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Domains;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class SiteMatcherTests
{
    [Theory]
    [InlineData("https://github.com", UriMatch.Default, "https://login.github.com/session", true)]
    [InlineData("github.com", UriMatch.Domain, "gist.github.com", true)]
    [InlineData("github.com", UriMatch.Domain, "evil-github.com", false)]
    [InlineData("https://alice.github.io", UriMatch.Default, "https://bob.github.io", false)]
    [InlineData("https://github.com", UriMatch.Host, "https://github.com/login", true)]
    [InlineData("https://github.com", UriMatch.Host, "https://gist.github.com/", false)]
    [InlineData("https://github.com:8443", UriMatch.Host, "https://github.com/", false)]
    [InlineData("https://github.com:443", UriMatch.Host, "github.com", true)]
    [InlineData("https://github.com/login", UriMatch.StartsWith, "https://github.com/login?return=1", true)]
    [InlineData("https://github.com/login", UriMatch.StartsWith, "https://github.com/", false)]
    [InlineData("https://github.com/login", UriMatch.Exact, "https://github.com/login", true)]
    [InlineData("https://github.com/login", UriMatch.Exact, "https://github.com/login/", false)]
    [InlineData(@"^https://(www\.)?github\.com/", UriMatch.RegularExpression, "https://WWW.github.com/x", true)]
    [InlineData(@"^https://github\.com/$", UriMatch.RegularExpression, "https://github.com/login", false)]
    [InlineData("([unclosed", UriMatch.RegularExpression, "https://github.com", false)]
    [InlineData("https://github.com", UriMatch.Never, "https://github.com", false)]
    [InlineData("androidapp://com.github", UriMatch.Default, "https://github.com", false)]
    public void Match_rules(string itemUri, UriMatch match, string site, bool expected) =>
        Assert.Equal(expected, SiteMatcher.Matches(itemUri, match, site));

    [Fact]
    public void Catastrophic_patterns_run_in_linear_time()
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 300; i++)
        {
            Assert.False(SiteMatcher.Matches("^(a+)+$", UriMatch.RegularExpression, new string('a', 5000) + "!"));
            Assert.False(SiteMatcher.Matches(@"https://trap.example/(a|aa)+$", UriMatch.RegularExpression, "https://trap.example/" + new string('a', 5000) + "!"));
        }

        // 600 matches over 5,000-character inputs; a backtracking engine takes seconds per match here.
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }

    [Theory]
    [InlineData(@"^https://(www\.)?github\.com/.*", UriMatch.RegularExpression, "github.com", true)]
    [InlineData("https://github.com/", UriMatch.StartsWith, "github.com", true)]
    [InlineData("https://github.com/", UriMatch.Exact, "github.com", true)]
    [InlineData("https://github.com/login", UriMatch.Exact, "github.com", false)]
    public void Text_rules_see_a_bare_host_as_its_page_url(string itemUri, UriMatch match, string site, bool expected) =>
        Assert.Equal(expected, SiteMatcher.Matches(itemUri, match, site));

    [Fact]
    public void Patterns_the_linear_engine_cannot_run_or_too_long_ones_match_nothing_and_are_counted()
    {
        var skips = new UriRuleSkips();
        Assert.False(SiteMatcher.Matches(@"^https://(\w+)\.\1\.com/", UriMatch.RegularExpression, "https://a.a.com/", skips)); // backreference
        Assert.False(SiteMatcher.Matches("(?=github)github", UriMatch.RegularExpression, "github", skips)); // lookahead
        Assert.False(SiteMatcher.Matches("a" + new string('b', SiteMatcher.MaxPatternLength), UriMatch.RegularExpression, "ab", skips));
        Assert.Equal(3, skips.Count);
        Assert.Same(SiteMatcher.Compile("^https://github"), SiteMatcher.Compile("^https://github")); // compiled once
    }
}
