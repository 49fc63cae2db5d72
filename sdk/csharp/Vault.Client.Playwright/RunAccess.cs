using Vault.Client.Models;

namespace Vault.Client.Playwright;

/// <summary>
/// The run's routes as sign-in uses them (credentials narrowed to a site, one-time codes), with every failure turned
/// into a <see cref="SignInException"/> of the contract's codes. Exceptions are rebuilt, never wrapped: nothing of a
/// request or an answer travels on.
/// </summary>
internal sealed class RunAccess(SignInOptions options)
{
    /// <summary>One client for every sign-in without its own (a long-lived MCP server signs in many times).</summary>
    private static readonly Lazy<HttpClient> SharedHttpClient = new(VaultApi.CreateHttpClient);

    private readonly VaultClient _client =
        VaultApi.CreateForRun(options.BaseUrl ?? new Uri(VaultApi.DefaultUrl), options.RunToken, options.HttpClient ?? SharedHttpClient.Value);

    /// <summary>The run's credentials for <paramref name="site"/> (one audited read), decided by the service's URI rules.</summary>
    public Task<IReadOnlyList<RunCredential>> CredentialsAsync(string site, CancellationToken ct) => CallAsync(async () =>
    {
        var answer = await _client.V1.Runs[options.RunId].Credentials.GetAsync(r => r.QueryParameters.Domain = site, ct).ConfigureAwait(false);
        return (IReadOnlyList<RunCredential>)(answer?.Credentials ?? []);
    }, ct);

    /// <summary>The codes cursor now: messages after it are "the next code".</summary>
    public Task<string?> CodeCursorAsync(CancellationToken ct) => CallAsync(async () =>
        (await _client.V1.Runs[options.RunId].Codes.GetAsync(cancellationToken: ct).ConfigureAwait(false))?.Cursor, ct);

    /// <summary>The run's next message with a code after <paramref name="after"/> (now when null), or null within <paramref name="wait"/>.</summary>
    public Task<string?> NextCodeAsync(TimeSpan wait, string? after, CancellationToken ct) => CallAsync(async () =>
        (await _client.WaitForCodeAsync(options.RunId, wait, after, ct).ConfigureAwait(false))?.Code, ct);

    private static async Task<T> CallAsync<T>(Func<Task<T>> call, CancellationToken ct)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw Translate(ex);
        }
    }

    private static SignInException Translate(Exception ex)
    {
        var error = VaultError.From(ex);
        return error?.Status switch
        {
            401 or 403 or 404 => new SignInException(error with { Code = SignInException.Unauthorized }),
            // The route refuses a site it cannot grant anything for (a public suffix, an address it cannot parse).
            400 => new SignInException(error with { Code = SignInException.OriginNotGranted }),
            null => SignInException.Because(SignInException.VaultUnavailable, "The Vault service could not be reached or did not answer in time."),
            _ => new SignInException(error with { Code = SignInException.VaultUnavailable }),
        };
    }
}
