using Microsoft.Playwright;
using Vault.Client.Models;

namespace Vault.Client.Playwright;

/// <summary>
/// One sign-in: find the form, read the run's credential for the page's site, fill, and step through a
/// username-then-password flow and a one-time-code step. Secrets go from the service's answer straight into
/// Playwright's <c>fill</c>; they are never returned, logged or put into an exception.
/// </summary>
internal sealed class SignInFlow(IPage page, SignInOptions options, CancellationToken ct)
{
    private const int MaxSteps = 4;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan FreshCodeMargin = TimeSpan.FromSeconds(3);

    private readonly RunAccess _run = new(options);
    private readonly List<string> _filled = [];
    private RunCredential? _credential;
    private Uri? _readFor;

    public async Task<SignInResult> RunAsync()
    {
        var form = await LoginFormFinder.FindAsync(page).ConfigureAwait(false);
        bool? left = null;
        string? codeCursor = null;
        for (var step = 0; step < MaxSteps; step++)
        {
            await using var current = form;
            var credential = await CredentialForPageAsync().ConfigureAwait(false);
            if (current.Has("username") && !string.IsNullOrEmpty(credential.Username))
            {
                await FillAsync(current, "username", credential.Username).ConfigureAwait(false);
            }

            if (current.Has("password") && !string.IsNullOrEmpty(credential.Password))
            {
                await FillAsync(current, "password", credential.Password).ConfigureAwait(false);
            }

            if (current.Has("totp") && await CodeAsync(codeCursor).ConfigureAwait(false) is { } code)
            {
                await FillAsync(current, "totp", code).ConfigureAwait(false);
            }

            if (current.Kinds is ["username"])
            {
                // The first page of a username-then-password flow: "Next" is part of filling, not the sign-in itself.
                await SubmitAsync(current).ConfigureAwait(false);
                var (next, _) = await WaitForAsync(f => f.Has("password") || f.Has("totp")).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                form = next;
                continue;
            }

            if (!options.Submit)
            {
                break;
            }

            // A code the site sends after the password counts only if it arrives after this point.
            codeCursor = current.Has("password") && credential.Totp is null ? await _run.CodeCursorAsync(ct).ConfigureAwait(false) : null;
            await SubmitAsync(current).ConfigureAwait(false);
            var (after, noForm) = await WaitForAsync(f => !f.Has("password") && !(current.Has("totp") && f.Has("totp")), allowNone: true).ConfigureAwait(false);
            if (after is { } codeStep && codeStep.Has("totp"))
            {
                form = codeStep;
                continue;
            }

            left = after is not null || noForm;
            if (after is not null)
            {
                await after.DisposeAsync().ConfigureAwait(false);
            }

            break;
        }

        var chosen = _credential ?? throw new InvalidOperationException("unreachable: a form was filled without a credential");
        return new SignInResult(chosen.ItemId ?? string.Empty, chosen.Label ?? string.Empty, _filled.Distinct().ToList(), options.Submit ? left ?? false : null);
    }

    /// <summary>
    /// The chosen credential for the page's current site: read again (one more audited read) whenever the top-level
    /// origin changed since the last read, and then it must be the same item, granted for the new site too.
    /// </summary>
    private async Task<RunCredential> CredentialForPageAsync()
    {
        var top = LoginFormFinder.SecureTopAddress(page);
        if (_credential is not null && _readFor is not null && PageAddress.SameOrigin(_readFor, top))
        {
            return _credential;
        }

        var credentials = await _run.CredentialsAsync(PageAddress.Site(top), ct).ConfigureAwait(false);
        var wanted = options.ItemId ?? _credential?.ItemId;
        var chosen = wanted is not null
            ? credentials.FirstOrDefault(c => c.ItemId == wanted)
            : credentials.OrderByDescending(c => (c.Urls ?? []).Any(u => SameHost(u, top))).FirstOrDefault();
        _credential = chosen ?? throw SignInException.Because(SignInException.OriginNotGranted, wanted is null
            ? $"The run has no login granted for {top.IdnHost}."
            : $"The login {wanted} is not granted to the run for {top.IdnHost}.");
        _readFor = top;
        return chosen;
    }

    /// <summary>The current TOTP code of the item (read afresh when about to expire), else the run's next e-mail/SMS/push code.</summary>
    private async Task<string?> CodeAsync(string? cursor)
    {
        if (_credential?.Totp is { Code: { } code, ExpiresAt: var expires })
        {
            if (expires is null || expires.Value - DateTimeOffset.UtcNow > FreshCodeMargin)
            {
                return code;
            }

            _readFor = null; // read the same item again for a code that will still be valid when the site checks it
            return (await CredentialForPageAsync().ConfigureAwait(false)).Totp?.Code;
        }

        return await _run.NextCodeAsync(options.CodeWait, cursor, ct).ConfigureAwait(false);
    }

    /// <summary>Fills one field after checking again that it is still in a frame of the page's own origin, visible and the site unchanged.</summary>
    private async Task FillAsync(FoundForm form, string kind, string value)
    {
        ct.ThrowIfCancellationRequested();
        var top = LoginFormFinder.SecureTopAddress(page);
        if (_readFor is null || !PageAddress.SameOrigin(_readFor, top) || !LoginFormFinder.IsOwnFrame(form.Frame, top))
        {
            throw SignInException.Because(SignInException.OriginNotGranted, "The page navigated to another site before the fill; nothing more was filled.");
        }

        try
        {
            var element = await form.ElementAsync(kind).ConfigureAwait(false);
            if (element is null || !await element.IsVisibleAsync().ConfigureAwait(false))
            {
                throw SignInException.Because(SignInException.NoLoginForm, $"The {kind} field is no longer visible; it was not filled.");
            }

            await element.FillAsync(value, new ElementHandleFillOptions { Timeout = 5_000 }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is PlaywrightException or System.TimeoutException)
        {
            // Rebuilt without the inner exception: Playwright's messages describe the call, and this one had a secret.
            throw SignInException.Because(SignInException.NoLoginForm, $"The {kind} field could not be filled (the page changed or hid it).");
        }

        _filled.Add(kind);
    }

    private static async Task SubmitAsync(FoundForm form)
    {
        try
        {
            if (await form.ElementAsync("submit").ConfigureAwait(false) is { } button && await button.IsVisibleAsync().ConfigureAwait(false))
            {
                await button.ClickAsync(new ElementHandleClickOptions { Timeout = 5_000 }).ConfigureAwait(false);
                return;
            }

            var last = await form.ElementAsync(form.Has("totp") ? "totp" : form.Has("password") ? "password" : "username").ConfigureAwait(false);
            if (last is not null)
            {
                await last.PressAsync("Enter", new ElementHandlePressOptions { Timeout = 5_000 }).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is PlaywrightException or System.TimeoutException)
        {
            // A click that navigates can race its own bookkeeping; what follows looks at the page as it is.
        }
    }

    /// <summary>
    /// Polls the page (for up to <see cref="SignInOptions.StepTimeout"/>) until the form the finder sees satisfies
    /// <paramref name="done"/>; with <paramref name="allowNone"/> a page without any login form also ends the wait
    /// (<c>NoForm</c>: the page left the sign-in form). No form and false on timeout.
    /// </summary>
    private async Task<(FoundForm? Form, bool NoForm)> WaitForAsync(Func<FoundForm, bool> done, bool allowNone = false)
    {
        var deadline = DateTimeOffset.UtcNow + options.StepTimeout;
        var noFormStreak = 0; // a navigation passes through pages with no form: "left" only once it stays so
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            await Task.Delay(Poll, ct).ConfigureAwait(false);
            if (PageAddress.Parse(page.MainFrame.Url) is { } top && PageAddress.IsSecure(top))
            {
                var (form, _) = await LoginFormFinder.TryFindAsync(page, top).ConfigureAwait(false);
                if (form is not null && done(form))
                {
                    return (form, false);
                }

                if (form is not null)
                {
                    noFormStreak = 0;
                    await form.DisposeAsync().ConfigureAwait(false);
                }
                else if (allowNone && ++noFormStreak >= 3)
                {
                    return (null, true);
                }
            }
            else if (allowNone && ++noFormStreak >= 3)
            {
                return (null, true); // navigated off to a page that is not a secure login page at all
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                return (null, false);
            }
        }
    }

    private static bool SameHost(string itemUrl, Uri page)
    {
        var text = itemUrl.Contains("://", StringComparison.Ordinal) ? itemUrl : "https://" + itemUrl;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && string.Equals(uri.IdnHost, page.IdnHost, StringComparison.OrdinalIgnoreCase);
    }
}
