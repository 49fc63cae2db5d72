using Vault.Core.Domains;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Domains;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class WebsiteAddressTests
{
    [Theory]
    [InlineData("https://github.com/login", "github.com", null, "github.com", "https://github.com/login")]
    [InlineData("github.com", "github.com", null, "github.com", "https://github.com/")]
    [InlineData("GitHub.COM.", "github.com", null, "github.com", "https://github.com/")]
    [InlineData("github.com/login?x=1#frag", "github.com", null, "github.com", "https://github.com/login?x=1")]
    [InlineData("github.com:8443/x", "github.com", 8443, "github.com", "https://github.com:8443/x")]
    [InlineData("http://github.com:80/", "github.com", null, "github.com", "http://github.com/")]
    [InlineData("https://user:pw@login.github.com/", "login.github.com", null, "github.com", "https://login.github.com/")]
    [InlineData("https://bücher.example/", "xn--bcher-kva.example", null, "xn--bcher-kva.example", "https://xn--bcher-kva.example/")]
    [InlineData("https://www.bbc.co.uk", "www.bbc.co.uk", null, "bbc.co.uk", "https://www.bbc.co.uk/")]
    [InlineData("https://alice.github.io/", "alice.github.io", null, "alice.github.io", "https://alice.github.io/")]
    [InlineData("https://github.io/", "github.io", null, null, "https://github.io/")]
    [InlineData("http://192.168.1.10:8080/admin", "192.168.1.10", 8080, "192.168.1.10", "http://192.168.1.10:8080/admin")]
    [InlineData("https://[::1]/", "[::1]", null, "[::1]", "https://[::1]/")]
    [InlineData("localhost:3000", "localhost", 3000, "localhost", "https://localhost:3000/")]
    public void Parses_and_normalises(string input, string host, int? port, string? registrable, string url)
    {
        Assert.True(WebsiteAddress.TryParse(input, out var address));
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
        Assert.Equal(registrable, address.RegistrableDomain);
        Assert.Equal(url, address.Url);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("androidapp://com.github.android")]
    [InlineData("iosapp://com.github")]
    [InlineData("ftp://github.com")]
    [InlineData("ssh://git@github.com")]
    [InlineData("mailto:alice@example.com")]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("https://")]
    [InlineData("https://exa mple.com")]
    [InlineData("https://-bad-.com")]
    [InlineData("https://a..b.com")]
    [InlineData("not a url at all")]
    [InlineData("https://%00.com")]
    public void Rejects_what_is_not_a_website(string? input) => Assert.False(WebsiteAddress.TryParse(input, out _));

    [Fact]
    public void Rejects_very_long_input_without_exceptions()
    {
        Assert.False(WebsiteAddress.TryParse("https://" + new string('a', 5000) + ".com", out _));
        Assert.False(WebsiteAddress.TryParse("https://" + string.Join('.', Enumerable.Repeat(new string('a', 63), 5)) + ".com", out _));
    }

    [Theory]
    [InlineData("login.github.com", "github.com", true)]
    [InlineData("https://GITHUB.com:444/x", "github.com", true)]
    [InlineData("evil-github.com", "github.com", false)]
    [InlineData("github.com.evil.io", "github.com", false)]
    [InlineData("alice.github.io", "bob.github.io", false)]
    [InlineData("a.alice.github.io", "alice.github.io", true)]
    public void Registrable_domain_matching(string a, string b, bool same) =>
        Assert.Equal(same, RegistrableDomain.FromHostOrUrl(a) == RegistrableDomain.FromHostOrUrl(b));
}
