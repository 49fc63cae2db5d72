using System.Text.Json;
using Microsoft.Playwright;

namespace Vault.Client.Playwright;

/// <summary>
/// Runs the shared finder (<c>sdk/signin/login-form.js</c>) in the page's frames: the top frame first, then frames of
/// the top page's own origin (whose every ancestor is of that origin too, and whose frame element is visible). A form
/// found only in a frame of another origin is reported, never returned.
/// </summary>
internal static class LoginFormFinder
{
    /// <summary>The page's top-level address, refused unless it is https (or plain http on loopback).</summary>
    public static Uri SecureTopAddress(IPage page)
    {
        if (PageAddress.Parse(page.MainFrame.Url) is not { } top || !PageAddress.IsSecure(top))
        {
            throw SignInException.Because(SignInException.InsecurePage,
                "The page is not https (plain http is filled only on loopback), so nothing was filled.");
        }

        return top;
    }

    /// <summary>The login form of the page, or the reason there is none to fill.</summary>
    public static async Task<FoundForm> FindAsync(IPage page)
    {
        var top = SecureTopAddress(page);
        var (form, crossOrigin) = await TryFindAsync(page, top).ConfigureAwait(false);
        return form ?? throw (crossOrigin
            ? SignInException.Because(SignInException.CrossOriginFrame,
                "The login form is inside a frame of another origin than the page; it is never filled.")
            : SignInException.Because(SignInException.NoLoginForm, "No visible login form (username, password or one-time-code field) was found on the page."));
    }

    /// <summary>The form, or null and whether a form was seen in a frame of another origin.</summary>
    public static async Task<(FoundForm? Form, bool CrossOrigin)> TryFindAsync(IPage page, Uri top)
    {
        var crossOrigin = false;
        foreach (var frame in page.Frames.OrderBy(f => f == page.MainFrame ? 0 : 1))
        {
            IJSHandle handle;
            string[] kinds;
            bool hasSubmit;
            try
            {
                handle = await frame.EvaluateHandleAsync(LoginFormScripts.LoginForm).ConfigureAwait(false);
                var summary = await handle.EvaluateAsync<JsonElement>("r => ({ kinds: r.kinds, hasSubmit: !!r.submit })").ConfigureAwait(false);
                kinds = summary.GetProperty("kinds").EnumerateArray().Select(k => k.GetString() ?? string.Empty).ToArray();
                hasSubmit = summary.GetProperty("hasSubmit").GetBoolean();
            }
            catch (PlaywrightException)
            {
                continue; // navigating or detached: nothing to fill there now
            }

            var form = new FoundForm(frame, handle, kinds, hasSubmit);
            if (kinds.Length > 0 && frame == page.MainFrame)
            {
                return (form, crossOrigin);
            }

            if (kinds.Length > 0 && !IsOwnFrame(frame, top))
            {
                crossOrigin = true;
            }
            else if (kinds.Length > 0 && await IsShownAsync(frame).ConfigureAwait(false))
            {
                return (form, crossOrigin);
            }

            await form.DisposeAsync().ConfigureAwait(false);
        }

        return (null, crossOrigin);
    }

    /// <summary>Whether <paramref name="frame"/> and every frame above it have the top page's origin (about: frames do not count as such).</summary>
    public static bool IsOwnFrame(IFrame frame, Uri top)
    {
        for (var f = frame; f is not null; f = f.ParentFrame)
        {
            if (PageAddress.Parse(f.Url) is not { } address || !PageAddress.SameOrigin(address, top))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A child frame whose element (and every ancestor frame's element) is shown: a hidden frame is not what a person signs in to.</summary>
    private static async Task<bool> IsShownAsync(IFrame frame)
    {
        try
        {
            for (var f = frame; f.ParentFrame is not null; f = f.ParentFrame)
            {
                var element = await f.FrameElementAsync().ConfigureAwait(false);
                if (!await element.IsVisibleAsync().ConfigureAwait(false) || await element.BoundingBoxAsync().ConfigureAwait(false) is not { Width: >= 20, Height: >= 20 })
                {
                    return false;
                }
            }

            return true;
        }
        catch (PlaywrightException)
        {
            return false;
        }
    }
}
