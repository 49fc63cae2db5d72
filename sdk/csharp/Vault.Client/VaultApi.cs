using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

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

    private static VaultClient Create(Uri baseUrl, IAuthenticationProvider authentication, HttpClient? httpClient)
    {
        var adapter = new HttpClientRequestAdapter(authentication, httpClient: httpClient ?? KiotaClientFactory.Create())
        {
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
        };
        return new VaultClient(adapter);
    }

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
