using Microsoft.Playwright;

namespace Vault.Client.Playwright;

/// <summary>
/// Sign-in below the model: the page is filled from the run's credentials inside this library, so the secret goes
/// from the Vault service into the page's fields without passing through the caller (an agent, a model).
/// Keep Playwright tracing and its <c>DEBUG=pw:api</c> log off while signing in: both record every <c>fill</c> with its value.
/// </summary>
public static class PageSignIn
{
    /// <summary>
    /// Fills the login form of <paramref name="page"/> (username, password, TOTP step) with the run's credential for
    /// the page's site; throws <see cref="SignInException"/> when it must not or cannot. The page must be https (or
    /// loopback http), the service must grant a login for its top-level URL by the item's URI rules, and only visible
    /// fields of the top frame or of frames of the same origin are filled. A username-only first step is submitted
    /// ("Next") and the password filled on the step that follows; with <see cref="SignInOptions.Submit"/> the form is
    /// submitted, a one-time-code step that follows is filled and submitted too, and the result says whether the page
    /// left the sign-in form.
    /// </summary>
    public static Task<SignInResult> SignInAsync(this IPage page, SignInOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(options);
        return new SignInFlow(page, options, cancellationToken).RunAsync();
    }

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the run's next one-time code (e-mail, SMS or push) and fills it into the
    /// page's one-time-code field; false when no code came or the page has no such field. The page must pass the same
    /// checks as <see cref="SignInAsync"/> (one audited credential read tells whether the run has a login for its site).
    /// </summary>
    public static Task<bool> FillNextCodeAsync(this IPage page, SignInOptions options, TimeSpan wait, CancellationToken cancellationToken = default) =>
        FillNextCodeAsync(page, options, wait, after: null, cancellationToken);

    /// <summary>
    /// As <see cref="FillNextCodeAsync(IPage, SignInOptions, TimeSpan, CancellationToken)"/>, but the code may be one that
    /// arrived after <paramref name="after"/> (a <see cref="CodeCursorAsync"/> taken before the site was asked to send
    /// it), so a code that came before this call is not missed.
    /// </summary>
    public static async Task<bool> FillNextCodeAsync(this IPage page, SignInOptions options, TimeSpan wait, string? after, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(page);
        ArgumentNullException.ThrowIfNull(options);
        FoundForm form;
        try
        {
            form = await LoginFormFinder.FindAsync(page).ConfigureAwait(false);
        }
        catch (SignInException e) when (e.Code == SignInException.NoLoginForm)
        {
            return false;
        }

        await using (form)
        {
            if (!form.Has("totp"))
            {
                return false;
            }

            var top = LoginFormFinder.SecureTopAddress(page);
            var run = new RunAccess(options);
            var granted = await run.CredentialsAsync(PageAddress.Site(top), cancellationToken).ConfigureAwait(false);
            if (granted.Count == 0 || (options.ItemId is { } id && granted.All(c => c.ItemId != id)))
            {
                throw SignInException.Because(SignInException.OriginNotGranted, $"The run has no login granted for {top.IdnHost}.");
            }

            if (await run.NextCodeAsync(wait, after, cancellationToken).ConfigureAwait(false) is not { } code)
            {
                return false;
            }

            if (!PageAddress.SameOrigin(LoginFormFinder.SecureTopAddress(page), top) || !LoginFormFinder.IsOwnFrame(form.Frame, top) ||
                await form.ElementAsync("totp").ConfigureAwait(false) is not { } field || !await field.IsVisibleAsync().ConfigureAwait(false))
            {
                return false;
            }

            try
            {
                await field.FillAsync(code, new ElementHandleFillOptions { Timeout = 5_000 }).ConfigureAwait(false);
                return true;
            }
            catch (Exception ex) when (ex is PlaywrightException or System.TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The position in the run's one-time codes now: codes that arrive after it count as "next" for
    /// <see cref="FillNextCodeAsync(IPage, SignInOptions, TimeSpan, string?, CancellationToken)"/>.
    /// </summary>
    public static Task<string?> CodeCursorAsync(SignInOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RunAccess(options).CodeCursorAsync(cancellationToken);
    }

    /// <summary>
    /// The logins granted to the run for a site (a host or URL): labels, usernames and sites only, never a secret. It is
    /// one credential read of the run route, so it is in the run's audit log like a fill.
    /// </summary>
    public static async Task<IReadOnlyList<GrantedLogin>> ListLoginsAsync(SignInOptions options, string site, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(site);
        var credentials = await new RunAccess(options).CredentialsAsync(site, cancellationToken).ConfigureAwait(false);
        return credentials.Select(c => new GrantedLogin(c.ItemId ?? string.Empty, c.Label ?? string.Empty, c.Username, c.Urls ?? [])).ToList();
    }
}
