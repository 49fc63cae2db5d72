using System.Globalization;
using Vault.Core.Domains;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Domains;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class PublicSuffixListTests
{
    // The list's own published test cases: publicsuffix/list, tests/test_psl.txt (checkPublicSuffix(input, expected)).
    // Inputs are lower-cased and converted to punycode first, as the test harness of the list specifies.
    [Theory]
    [InlineData(null, null)]
    [InlineData("COM", null)]
    [InlineData("example.COM", "example.com")]
    [InlineData("WwW.example.COM", "example.com")]
    [InlineData(".com", null)]
    [InlineData(".example", null)]
    [InlineData(".example.com", null)]
    [InlineData(".example.example", null)]
    [InlineData("example", null)]
    [InlineData("example.example", "example.example")]
    [InlineData("b.example.example", "example.example")]
    [InlineData("a.b.example.example", "example.example")]
    [InlineData("biz", null)]
    [InlineData("domain.biz", "domain.biz")]
    [InlineData("b.domain.biz", "domain.biz")]
    [InlineData("a.b.domain.biz", "domain.biz")]
    [InlineData("com", null)]
    [InlineData("example.com", "example.com")]
    [InlineData("b.example.com", "example.com")]
    [InlineData("a.b.example.com", "example.com")]
    [InlineData("uk.com", null)]
    [InlineData("example.uk.com", "example.uk.com")]
    [InlineData("b.example.uk.com", "example.uk.com")]
    [InlineData("a.b.example.uk.com", "example.uk.com")]
    [InlineData("test.ac", "test.ac")]
    [InlineData("mm", null)]
    [InlineData("c.mm", null)]
    [InlineData("b.c.mm", "b.c.mm")]
    [InlineData("a.b.c.mm", "b.c.mm")]
    [InlineData("jp", null)]
    [InlineData("test.jp", "test.jp")]
    [InlineData("www.test.jp", "test.jp")]
    [InlineData("ac.jp", null)]
    [InlineData("test.ac.jp", "test.ac.jp")]
    [InlineData("www.test.ac.jp", "test.ac.jp")]
    [InlineData("kyoto.jp", null)]
    [InlineData("test.kyoto.jp", "test.kyoto.jp")]
    [InlineData("ide.kyoto.jp", null)]
    [InlineData("b.ide.kyoto.jp", "b.ide.kyoto.jp")]
    [InlineData("a.b.ide.kyoto.jp", "b.ide.kyoto.jp")]
    [InlineData("c.kobe.jp", null)]
    [InlineData("b.c.kobe.jp", "b.c.kobe.jp")]
    [InlineData("a.b.c.kobe.jp", "b.c.kobe.jp")]
    // The embedded 2023 list has "*.kobe.jp" and "!city.kobe.jp", for which the test file of that time expects
    // "city.kobe.jp"; the latest revision of the test file expects "kobe.jp" together with the latest list data.
    [InlineData("city.kobe.jp", "city.kobe.jp")]
    [InlineData("www.city.kobe.jp", "city.kobe.jp")]
    [InlineData("ck", null)]
    [InlineData("test.ck", null)]
    [InlineData("b.test.ck", "b.test.ck")]
    [InlineData("a.b.test.ck", "b.test.ck")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("www.www.ck", "www.ck")]
    [InlineData("us", null)]
    [InlineData("test.us", "test.us")]
    [InlineData("www.test.us", "test.us")]
    [InlineData("ak.us", null)]
    [InlineData("test.ak.us", "test.ak.us")]
    [InlineData("www.test.ak.us", "test.ak.us")]
    [InlineData("k12.ak.us", null)]
    [InlineData("test.k12.ak.us", "test.k12.ak.us")]
    [InlineData("www.test.k12.ak.us", "test.k12.ak.us")]
    [InlineData("食狮.com.cn", "食狮.com.cn")]
    [InlineData("食狮.公司.cn", "食狮.公司.cn")]
    [InlineData("www.食狮.公司.cn", "食狮.公司.cn")]
    [InlineData("shishi.公司.cn", "shishi.公司.cn")]
    [InlineData("公司.cn", null)]
    [InlineData("食狮.中国", "食狮.中国")]
    [InlineData("www.食狮.中国", "食狮.中国")]
    [InlineData("shishi.中国", "shishi.中国")]
    [InlineData("中国", null)]
    [InlineData("xn--85x722f.com.cn", "xn--85x722f.com.cn")]
    [InlineData("xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn")]
    [InlineData("www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn")]
    [InlineData("shishi.xn--55qx5d.cn", "shishi.xn--55qx5d.cn")]
    [InlineData("xn--55qx5d.cn", null)]
    [InlineData("xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s")]
    [InlineData("www.xn--85x722f.xn--fiqs8s", "xn--85x722f.xn--fiqs8s")]
    [InlineData("shishi.xn--fiqs8s", "shishi.xn--fiqs8s")]
    [InlineData("xn--fiqs8s", null)]
    public void Published_test_cases(string? input, string? expected)
    {
        Assert.Equal(Ascii(expected), input is null ? null : PublicSuffixList.Default.GetRegistrableDomain(Ascii(input)!));
    }

    [Fact]
    public void The_embedded_list_is_the_whole_official_list()
    {
        Assert.True(PublicSuffixList.Default.RuleCount > 9000, $"{PublicSuffixList.Default.RuleCount} rules");
        Assert.Equal("github.io", PublicSuffixList.Default.GetPublicSuffix("alice.github.io")); // private section
        Assert.Equal("co.uk", PublicSuffixList.Default.GetPublicSuffix("www.bbc.co.uk"));
    }

    [Fact]
    public void Parses_rules_with_comments_wildcards_and_exceptions()
    {
        var list = PublicSuffixList.Parse(new StringReader("// comment\ncom\n*.ck\n!www.ck\n\n  example.com   trailing words\n"));
        Assert.Equal("b.test.ck", list.GetRegistrableDomain("a.b.test.ck"));
        Assert.Equal("www.ck", list.GetRegistrableDomain("x.www.ck"));
        Assert.Null(list.GetRegistrableDomain("example.com"));
        Assert.Equal("a.example.com", list.GetRegistrableDomain("b.a.example.com"));
    }

    // Leading-dot inputs are not valid IDN; they go in as they are (lower-cased) and must give null.
    private static string? Ascii(string? host) =>
        host is null ? null : host.StartsWith('.') ? host.ToLowerInvariant() : new IdnMapping().GetAscii(host).ToLowerInvariant();
}
