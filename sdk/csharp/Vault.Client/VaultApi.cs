using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;

namespace Vault.Client;

/// <summary>Creates <see cref="VaultClient"/>s for a service URL, authenticated with an API key or a run token.</summary>
public static class VaultApi
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    /// <summary>A client that sends <c>X-API-Key</c> on every request (every route but the run-credential one).</summary>
    public static VaultClient Create(Uri baseUrl, string? apiKey, HttpClient? httpClient = null) =>
        Create(baseUrl, new HeaderAuthentication("X-API-Key", apiKey), httpClient);

    /// <summary>A client for <c>GET /v1/runs/{runId}/credentials</c>: sends the run's bearer token and no API key.</summary>
    public static VaultClient CreateForRun(Uri baseUrl, string runToken, HttpClient? httpClient = null) =>
        Create(baseUrl, new HeaderAuthentication("Authorization", "Bearer " + runToken), httpClient);

    /// <summary>The headers that carry a key or a token: they go to the service's own origin only.</summary>
    private static readonly string[] SecretHeaders = ["X-API-Key", "X-Admin-Key", "Authorization"];

    private static VaultClient Create(Uri baseUrl, IAuthenticationProvider authentication, HttpClient? httpClient)
    {
        if (!IsSafeBaseUrl(baseUrl))
        {
            // A key sent over plain http can be read by anyone on the path.
            throw new ArgumentException($"The Vault URL must be https (plain http only on loopback): {baseUrl}", nameof(baseUrl));
        }

        var adapter = new HttpClientRequestAdapter(authentication, httpClient: httpClient ?? CreateHttpClient())
        {
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
        };
        return new VaultClient(adapter);
    }

    /// <summary>https anywhere, plain http only to this machine (the standalone host).</summary>
    public static bool IsSafeBaseUrl(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));

    /// <summary>
    /// Kiota's client with its redirect handler told to drop every key and token header when a redirect leaves the
    /// service's origin (Kiota itself drops only Authorization and cookies; X-API-Key would follow). A redirect from
    /// https to http is refused, as Kiota does by default.
    /// </summary>
    public static HttpClient CreateHttpClient() => KiotaClientFactory.Create(optionsForHandlers:
    [
        new RedirectHandlerOption
        {
            ScrubSensitiveHeaders = (request, original, proxy) =>
            {
                RedirectHandlerOption.DefaultScrubSensitiveHeaders(request, original, proxy);
                if (request.RequestUri is not { } target || !SameOrigin(original, target))
                {
                    foreach (var name in SecretHeaders)
                    {
                        request.Headers.Remove(name);
                    }
                }
            },
        },
    ]);

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>
    /// Sets one header on every request. Kiota's own API-key provider accepts https only; the service is also run
    /// locally over http (standalone mode), so this one does not refuse it.
    /// </summary>
    private sealed class HeaderAuthentication(string name, string? value) : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(
            RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            if (!string.IsNullOrEmpty(value))
            {
                request.Headers.TryAdd(name, value);
            }

            return Task.CompletedTask;
        }
    }
}
