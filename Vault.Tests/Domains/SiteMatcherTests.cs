using System.Diagnostics;
using Vault.Core.Domains;

namespace Vault.Tests.Domains;

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
    public void Catastrophic_backtracking_is_no_match_within_the_timeout()
    {
        var watch = Stopwatch.StartNew();
        Assert.False(SiteMatcher.Matches("^(a+)+$", UriMatch.RegularExpression, new string('a', 40) + "!"));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), watch.Elapsed.ToString());
    }
}
