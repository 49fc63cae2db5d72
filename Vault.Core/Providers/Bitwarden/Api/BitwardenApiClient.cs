using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
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
public sealed class BitwardenApiClient(HttpClient http, BitwardenEndpoints endpoints, TimeProvider clock, ProviderLimits limits)
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
        var body = await SendAsync(request, isLogin: true, ReadObjectAsync, ct).ConfigureAwait(false);
        var token = Json.String(body, "access_token") ?? throw new ProviderUnavailableException("The identity service answered without an access token.");
        var expiresIn = Json.Int(body, "expires_in") ?? 3600;
        return new TokenGrant(token, clock.GetUtcNow().AddSeconds(expiresIn), body);
    }

    /// <summary>
    /// The vault, deserialized from the stream as it arrives (the profile and one cipher at a time; the parts of the
    /// answer not used here are skipped by the reader), under the response limits. Throws
    /// <see cref="AccessTokenRejectedException"/> on 401 so that the caller can log in again.
    /// </summary>
    /// <summary>
    /// <c>GET /api/accounts/revision-date</c>: when anything in the account's vault last changed, as milliseconds since
    /// the epoch (the server's <c>AccountRevisionDate</c>, which every cipher, folder or collection change moves). The
    /// official clients ask it before a sync and skip the download when it has not moved; so does a resync here.
    /// </summary>
    public async Task<long> RevisionDateAsync(string accessToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoints.Api, "accounts/revision-date"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        AddClientHeaders(request);
        var body = await SendAsync(request, isLogin: false, (response, token) => BoundedBody.ReadBytesAsync(response, limits, token), ct).ConfigureAwait(false);
        return body.Length <= 32 && long.TryParse(System.Text.Encoding.ASCII.GetString(body).Trim(), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var milliseconds)
            ? milliseconds
            : throw new ProviderUnavailableException("Bitwarden's revision date is not a number.");
    }

    public async Task<JsonObject> SyncAsync(string accessToken, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoints.Api, "sync?excludeDomains=true"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        AddClientHeaders(request);
        CipherList.Cap = limits.MaxItems;
        var answer = await SendAsync(request, isLogin: false, async (response, token) =>
            await BoundedBody.ReadJsonAsync(response, SyncJson(limits), limits, token).ConfigureAwait(false), ct).ConfigureAwait(false)
            ?? throw new ProviderUnavailableException("Bitwarden answered something that is not a JSON object.");
        var ciphers = answer.Ciphers ?? new CipherList();

        foreach (var cipher in ciphers)
        {
            if (Json.Get(cipher, "fields") is JsonArray { Count: var fields } && fields > limits.MaxFieldsPerItem)
            {
                throw new ProviderResponseTooLargeException($"an item with more than {limits.MaxFieldsPerItem} fields");
            }

            if (Json.Get(Json.Object(cipher, "login"), "uris") is JsonArray { Count: var uris } && uris > limits.MaxUrisPerItem)
            {
                throw new ProviderResponseTooLargeException($"an item with more than {limits.MaxUrisPerItem} URIs");
            }
        }

        // The decryptor reads the answer's shape; the nodes move into it without a copy.
        return new JsonObject { ["profile"] = answer.Profile, ["ciphers"] = new JsonArray(ciphers.Where(c => c is not null).ToArray<JsonNode?>()) };
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProviderLimits, JsonTypeInfo<BitwardenSyncAnswer>> SyncJsonByLimits = new();

    private static JsonTypeInfo<BitwardenSyncAnswer> SyncJson(ProviderLimits limits) =>
        SyncJsonByLimits.GetValue(limits, l =>
            (JsonTypeInfo<BitwardenSyncAnswer>)BoundedBody.WithDepth(BitwardenSyncJson.Default.Options, l).GetTypeInfo(typeof(BitwardenSyncAnswer)));

    private async Task<JsonObject> ReadObjectAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var bytes = await BoundedBody.ReadBytesAsync(response, limits, ct).ConfigureAwait(false);
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { MaxDepth = limits.MaxJsonDepth }) as JsonObject
                ?? throw new ProviderUnavailableException("Bitwarden answered something that is not a JSON object.");
        }
        catch (JsonException)
        {
            throw new ProviderUnavailableException("Bitwarden answered malformed JSON.");
        }
    }

    private static void AddClientHeaders(HttpRequestMessage request)
    {
        request.Headers.Add("Bitwarden-Client-Name", ClientName);
        request.Headers.Add("Bitwarden-Client-Version", ClientVersion);
        request.Headers.Add("Device-Type", DeviceType.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, bool isLogin, Func<HttpResponseMessage, CancellationToken, Task<T>> readSuccess, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            // Headers only: the body is read under the response limits, never buffered whole by the client.
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProviderHttpErrors.Translate(ex, nameof(ConnectInput.ServerUrl)) is { } translated && !ct.IsCancellationRequested)
        {
            throw translated;
        }

        using (response)
        {
            try
            {
                if (response.IsSuccessStatusCode)
                {
                    return await readSuccess(response, ct).ConfigureAwait(false);
                }

                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    throw new ProviderUnavailableException("Bitwarden is rate limiting requests.", ProviderHttpErrors.RetryAfter(response));
                }

                if (!isLogin && response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    throw new AccessTokenRejectedException();
                }

                if (isLogin && response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized &&
                    IsRejection(Encoding.UTF8.GetString(await BoundedBody.ReadBytesAsync(response, limits, ct).ConfigureAwait(false))))
                {
                    throw new ProviderRejectedCredentialsException("Bitwarden refused the API key.");
                }

                throw new ProviderUnavailableException($"Bitwarden answered {(int)response.StatusCode}.", ProviderHttpErrors.RetryAfter(response));
            }
            catch (JsonException)
            {
                throw new ProviderUnavailableException("Bitwarden answered malformed JSON.");
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && !ct.IsCancellationRequested && ProviderHttpErrors.Translate(ex, nameof(ConnectInput.ServerUrl)) is { } translated)
            {
                throw translated;
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

/// <summary>The parts of a <c>/sync</c> answer this client reads; the reader skips the rest (folders, sends, policies…).</summary>
public sealed class BitwardenSyncAnswer
{
    public JsonObject? Profile { get; set; }
    public CipherList? Ciphers { get; set; }
}

/// <summary>
/// The ciphers as they are read: one past <see cref="Cap"/> stops the read there, so an endless array of tiny
/// ciphers costs at most the cap in memory, not whatever fits in the byte limit.
/// </summary>
public sealed class CipherList : ICollection<JsonObject?>
{
    private static readonly AsyncLocal<int?> CurrentCap = new();
    private readonly List<JsonObject?> _items = [];

    /// <summary>The item cap of the read running in this async flow.</summary>
    public static int? Cap { get => CurrentCap.Value; set => CurrentCap.Value = value; }

    public int Count => _items.Count;
    public bool IsReadOnly => false;

    public void Add(JsonObject? item)
    {
        if (Cap is { } cap && _items.Count >= cap)
        {
            throw new ProviderResponseTooLargeException($"more than {cap} items");
        }

        _items.Add(item);
    }

    public void Clear() => _items.Clear();
    public bool Contains(JsonObject? item) => _items.Contains(item);
    public void CopyTo(JsonObject?[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);
    public bool Remove(JsonObject? item) => _items.Remove(item);
    public IEnumerator<JsonObject?> GetEnumerator() => _items.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => _items.GetEnumerator();
}

/// <summary>Older servers answer PascalCase, newer camelCase: names match either way.</summary>
[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BitwardenSyncAnswer))]
internal sealed partial class BitwardenSyncJson : JsonSerializerContext;

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
