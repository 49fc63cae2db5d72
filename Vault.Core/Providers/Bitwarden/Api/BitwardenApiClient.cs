using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vault.Core.Providers.Network;

namespace Vault.Core.Providers.Bitwarden.Api;

/// <summary>The answer of the identity service to an API-key login.</summary>
public sealed record TokenGrant(string AccessToken, DateTimeOffset ExpiresAt, JsonObject Body)
{
    public override string ToString() => "TokenGrant { *** }";
}

/// <summary>
/// Bitwarden's HTTP API as the official clients call it: the OAuth client-credentials login at the identity service
/// (form-encoded, scope <c>api</c>, device fields and client headers) and <c>GET /sync</c>. Maps every failure to the
/// provider seam's exceptions; never puts a response body or a credential into an exception message.
/// </summary>
public sealed class BitwardenApiClient(HttpClient http, BitwardenEndpoints endpoints, TimeProvider clock)
{
    public const string ClientName = "cli";
    public const string ClientVersion = "2026.9.0";
    public const int DeviceType = 25; // LinuxCLI: a non-interactive client, as the CLI identifies itself

    public async Task<TokenGrant> LoginAsync(BitwardenSecret secret, Guid deviceId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(endpoints.Identity, "connect/token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = "api",
                ["client_id"] = secret.ClientId,
                ["client_secret"] = secret.ClientSecret,
                ["deviceType"] = DeviceType.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["deviceIdentifier"] = deviceId.ToString(),
                ["deviceName"] = "Vault service",
            }),
        };
        AddClientHeaders(request);
        NoRetry.Mark(request);
        var body = await SendAsync(request, isLogin: true, ct).ConfigureAwait(false);
        var token = Json.String(body, "access_token") ?? throw new ProviderUnavailableException("The identity service answered without an access token.");
        var expiresIn = Json.Int(body, "expires_in") ?? 3600;
        return new TokenGrant(token, clock.GetUtcNow().AddSeconds(expiresIn), body);
    }

    /// <summary>The vault. Throws <see cref="AccessTokenRejectedException"/> on 401 so that the caller can log in again.</summary>
    public async Task<JsonObject> SyncAsync(string accessToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoints.Api, "sync?excludeDomains=true"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        AddClientHeaders(request);
        return await SendAsync(request, isLogin: false, ct).ConfigureAwait(false);
    }

    private static void AddClientHeaders(HttpRequestMessage request)
    {
        request.Headers.Add("Bitwarden-Client-Name", ClientName);
        request.Headers.Add("Bitwarden-Client-Version", ClientVersion);
        request.Headers.Add("Device-Type", DeviceType.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    private async Task<JsonObject> SendAsync(HttpRequestMessage request, bool isLogin, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProviderHttpErrors.Translate(ex, "serverUrl") is { } translated && !ct.IsCancellationRequested)
        {
            throw translated;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                throw new ProviderUnavailableException("Bitwarden is rate limiting requests.", ProviderHttpErrors.RetryAfter(response));
            }

            if (isLogin && response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized && IsRejection(text))
            {
                throw new ProviderRejectedCredentialsException("Bitwarden refused the API key.");
            }

            if (!isLogin && response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new AccessTokenRejectedException();
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new ProviderUnavailableException($"Bitwarden answered {(int)response.StatusCode}.", ProviderHttpErrors.RetryAfter(response));
            }

            try
            {
                return JsonNode.Parse(text) as JsonObject ?? throw new ProviderUnavailableException("Bitwarden answered something that is not a JSON object.");
            }
            catch (JsonException)
            {
                throw new ProviderUnavailableException("Bitwarden answered malformed JSON.");
            }
        }
    }

    private static bool IsRejection(string body)
    {
        try
        {
            var error = JsonNode.Parse(body) is JsonObject o ? Json.String(o, "error") : null;
            return error is "invalid_client" or "invalid_grant" or "unauthorized_client";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The same device for every sync of one connection, so the user's device list does not grow.</summary>
    public static Guid DeviceIdFor(string accountId, string clientId, string server)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"vault-device|{accountId}|{clientId.ToLowerInvariant()}|{server}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // a name-based UUID (version 5 layout)
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

/// <summary>The API refused a cached access token (expired or revoked): log in once more.</summary>
public sealed class AccessTokenRejectedException() : Exception("The access token was refused.");

/// <summary>Case-insensitive reads of Bitwarden JSON (older servers answer PascalCase, newer camelCase).</summary>
public static class Json
{
    public static JsonNode? Get(JsonObject? obj, string name)
    {
        if (obj is null)
        {
            return null;
        }

        if (obj.TryGetPropertyValue(name, out var exact))
        {
            return exact;
        }

        foreach (var (key, value) in obj)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static string? String(JsonObject? obj, string name) =>
        Get(obj, name) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    public static int? Int(JsonObject? obj, string name) =>
        Get(obj, name) is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    public static JsonObject? Object(JsonObject? obj, string name) => Get(obj, name) as JsonObject;

    public static IEnumerable<JsonObject> Array(JsonObject? obj, string name) =>
        Get(obj, name) is JsonArray a ? a.OfType<JsonObject>() : [];
}
