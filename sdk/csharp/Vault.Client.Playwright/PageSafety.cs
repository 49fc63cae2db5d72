using Microsoft.Playwright;

namespace Vault.Client.Playwright;

/// <summary>
/// Views of a page that are safer to hand to a model after a fill. They hide what the page shows in its fields; they
/// cannot hide what the page's own script does with them (it can always read its inputs, echo or send them).
/// </summary>
public static class PageSafety
{
    /// <summary>
    /// Fields masked in a screenshot: passwords (also one revealed by a "show password" toggle, which keeps its
    /// password autocomplete), one-time codes by autocomplete, and fields named like codes.
    /// </summary>
    internal const string SecretFields =
        "input[type=password], input[autocomplete*=password i], input[autocomplete*=one-time-code i], " +
        "input[name*=otp i], input[id*=otp i], input[name*=totp i], input[name*=code i], input[id*=code i], input[inputmode=numeric]";

    /// <summary>A PNG screenshot with every password and one-time-code field masked (Playwright's <c>mask</c>), in every frame.</summary>
    public static Task<byte[]> MaskedScreenshotAsync(this IPage page, PageScreenshotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        // A copy: the caller's options are not changed.
        var masked = options is null ? new PageScreenshotOptions() : new PageScreenshotOptions(options);
        masked.Mask = [.. masked.Mask ?? [], .. page.Frames.Select(f => f.Locator(SecretFields))];
        masked.Type ??= ScreenshotType.Png;
        return page.ScreenshotAsync(masked);
    }

    /// <summary>
    /// The page's text and form structure, frame by frame, with every input's value left out (only "filled" or
    /// "empty") and the values of the page's fields scrubbed from its text as well.
    /// </summary>
    public static async Task<string> RedactedSnapshotAsync(this IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var parts = new List<string>();
        foreach (var frame in page.Frames)
        {
            try
            {
                var text = await frame.EvaluateAsync<string>(LoginFormScripts.RedactedSnapshot).ConfigureAwait(false);
                parts.Add(frame == page.MainFrame ? text : $"--- frame {Origin(frame.Url)} ---\n{text}");
            }
            catch (PlaywrightException)
            {
                // A frame navigating away has nothing to show now.
            }
        }

        return string.Join("\n", parts);
    }

    private static string Origin(string url) =>
        PageAddress.Parse(url) is { } uri ? $"{uri.Scheme}://{uri.IdnHost}{(uri.IsDefaultPort ? string.Empty : ":" + uri.Port)}" : url.Split(':')[0] + ":";
}
