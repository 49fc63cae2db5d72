using Microsoft.Playwright;

namespace Vault.Client.Playwright;

/// <summary>Views of a page that are safe to hand to a model after a fill.</summary>
public static class PageSafety
{
    /// <summary>A PNG screenshot with every password and one-time-code field masked (Playwright's <c>mask</c>).</summary>
    public static Task<byte[]> MaskedScreenshotAsync(this IPage page, PageScreenshotOptions? options = null) =>
        throw new NotImplementedException();

    /// <summary>The page's text and form structure with every input's value redacted.</summary>
    public static Task<string> RedactedSnapshotAsync(this IPage page) =>
        throw new NotImplementedException();
}
