namespace Vault.Client.Playwright;

/// <summary>The page-address rules of sign-in: which pages may be filled, which frames count as the page's own.</summary>
internal static class PageAddress
{
    /// <summary>Longest site sent as <c>domain</c> (the route accepts 2,048 characters).</summary>
    private const int MaxSiteLength = 2000;

    /// <summary>The frame's URL when it is an absolute http(s) URL; null for <c>about:</c>, <c>data:</c>, <c>blob:</c> and the like.</summary>
    public static Uri? Parse(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;

    /// <summary>https anywhere; plain http only on this machine (a local test or dev server), where nobody is on the path.</summary>
    public static bool IsSecure(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps ||
        (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Scheme, ASCII host (IDN as punycode) and port: a look-alike spelling is another origin.</summary>
    public static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>
    /// What the run route is asked for: the page's URL without query and fragment (they can carry tokens, and the
    /// route writes the site into the audit log), host in ASCII, so that its URI match rules (domain, host, starts
    /// with, exact, regular expression) are decided against the page itself.
    /// </summary>
    public static string Site(Uri page)
    {
        var origin = $"{page.Scheme}://{page.IdnHost.ToLowerInvariant()}{(page.IsDefaultPort ? string.Empty : ":" + page.Port)}";
        var withPath = origin + page.AbsolutePath;
        return withPath.Length <= MaxSiteLength ? withPath : origin + "/";
    }
}
