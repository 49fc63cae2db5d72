using Microsoft.Playwright;

namespace Vault.Client.Playwright;

/// <summary>Sign-in below the model: the page is filled from the run's credentials inside this library.</summary>
public static class PageSignIn
{
    /// <summary>
    /// Fills the login form of <paramref name="page"/> (username, password, TOTP step) with the run's credential for
    /// the page's site; throws <see cref="SignInException"/> when it must not or cannot.
    /// </summary>
    public static Task<SignInResult> SignInAsync(this IPage page, SignInOptions options, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>
    /// Waits up to <paramref name="wait"/> for the run's next one-time code (e-mail, SMS or push) and fills it into the
    /// page's one-time-code field; false when no code came or the page has no such field.
    /// </summary>
    public static Task<bool> FillNextCodeAsync(this IPage page, SignInOptions options, TimeSpan wait, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    /// <summary>The logins granted to the run for a site (labels, usernames and sites only: never a secret).</summary>
    public static Task<IReadOnlyList<GrantedLogin>> ListLoginsAsync(SignInOptions options, string site, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}

/// <summary>A granted login as an agent may see it.</summary>
public sealed record GrantedLogin(string ItemId, string Label, string? Username, IReadOnlyList<string> Sites);
