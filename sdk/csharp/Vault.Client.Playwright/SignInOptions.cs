namespace Vault.Client.Playwright;

/// <summary>What <see cref="PageSignIn.SignInAsync"/> needs: the run, where the service is, and what to do.</summary>
public sealed record SignInOptions
{
    public required string RunId { get; init; }

    /// <summary>The run's token (shown once by <c>POST /v1/runs</c>); it is sent to <see cref="BaseUrl"/> only.</summary>
    public required string RunToken { get; init; }

    /// <summary>The Vault service; <see cref="VaultApi.DefaultUrl"/> when null.</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>One granted item to use; when null, the only item granted for the page's site.</summary>
    public string? ItemId { get; init; }

    /// <summary>Submit the form after filling and report whether the page left the sign-in form.</summary>
    public bool Submit { get; init; }

    /// <summary>How long to wait for the run's next e-mail/SMS code on a one-time-code step without a TOTP seed.</summary>
    public TimeSpan CodeWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a step may take: the password field after a username-only "Next", the page after a submit.</summary>
    public TimeSpan StepTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The HTTP client for the service (tests, proxies); a safe default when null.</summary>
    public HttpClient? HttpClient { get; init; }
}
