using System.Text.RegularExpressions;
using Vault.Core.Errors;
using Vault.Functions.Hosting;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

/// <summary>The HTML reference at /docs: served by the app from its own files, nothing loaded from elsewhere.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed partial class DocsTests : ApiTestBase
{
    [Fact]
    public async Task Docs_page_references_only_local_assets_and_they_are_served()
    {
        using var page = await Host.SendAsync(HttpMethod.Get, "/docs", null);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(page);

        var references = Reference().Matches(html).Select(m => m.Groups[2].Value).ToList();
        Assert.Contains("/docs/redoc.standalone.js", references);
        Assert.All(references, r => Assert.True(r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal), $"{r} is not on this origin"));

        foreach (var asset in references.Where(r => r.StartsWith("/docs/", StringComparison.Ordinal)))
        {
            using var response = await Host.SendAsync(HttpMethod.Get, asset, null);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"{asset}: {(int)response.StatusCode}");
            Assert.Equal(asset.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript" : "text/css", response.Content.Headers.ContentType?.MediaType);
            Assert.NotEmpty(body);
            AssertSecurityHeaders(response);
        }

        // The renderer is Redoc's bundle, and our script points it at the document this host serves.
        var bundle = await (await Host.SendAsync(HttpMethod.Get, "/docs/redoc.standalone.js", null)).Content.ReadAsStringAsync();
        Assert.Contains("Redoc", bundle);
        Assert.True(bundle.Length > 500_000, "the whole standalone bundle is served");
        var script = await (await Host.SendAsync(HttpMethod.Get, "/docs/docs.js", null)).Content.ReadAsStringAsync();
        Assert.Contains("Redoc.init('/v1/openapi.json'", script);
        Assert.Equal(200, (int)(await Host.SendAsync(HttpMethod.Get, "/v1/openapi.json", null)).StatusCode);
        var license = await Host.SendAsync(HttpMethod.Get, "/docs/redoc.standalone.js.LICENSE.txt", null);
        Assert.Equal(200, (int)license.StatusCode);
    }

    [Theory]
    [InlineData("/docs/app.settings.json")]
    [InlineData("/docs/..%2FVault.Functions.dll")]
    [InlineData("/docs/Vault.Functions.dll")]
    [InlineData("/docs/redoc.standalone.js.map")]
    public async Task Only_the_reference_files_are_served(string path)
    {
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, path, null), 404, ErrorCodes.NotFound);
    }

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Equal(DocsAssets.ContentSecurityPolicy, csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("http", csp, StringComparison.OrdinalIgnoreCase); // no other origin may be reached
        Assert.DoesNotContain("*", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [GeneratedRegex("(src|href)\\s*=\\s*\"([^\"]+)\"")]
    private static partial Regex Reference();
}
