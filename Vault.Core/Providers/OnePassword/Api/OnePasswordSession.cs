using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Token;

namespace Vault.Core.Providers.OnePassword.Api;

/// <summary>
/// One signed-in conversation with a 1Password account: the SDK's headers on every request, the session id, request
/// MACs and encrypted bodies once the session key exists (docs/onepassword-protocol.md §2, §4). Every request is sent exactly once
/// (<see cref="NoRetry"/>): the account's daily quota is tiny, so a failure ends the operation instead of repeating it.
/// Not thread-safe; one per provider call.
/// </summary>
internal sealed class OnePasswordSession
{
    private readonly HttpClient _http;
    private readonly ServiceAccountToken _token;
    private readonly ThrottlingToken _throttling;
    private readonly ILogger _logger;
    private readonly ProviderLimits _limits;
    private long _requestId;
    private string? _sessionId;
    private byte[]? _sessionKey;
    private RequestMac? _mac;

    public OnePasswordSession(HttpClient http, ServiceAccountToken token, ThrottlingToken throttling, ILogger logger, ProviderLimits limits)
    {
        _limits = limits;
        _http = http;
        _token = token;
        _throttling = throttling;
        _logger = logger;
        _requestId = RandomNumberGenerator.GetInt32(1_000_000, 9_000_000);
    }

    /// <summary>Requests sent so far (the quota counts each one).</summary>
    public int RequestCount { get; private set; }

    public string? SessionId => _sessionId;

    /// <summary>The session the next requests name (null: none, as on the sign-in lookup).</summary>
    public void SetSessionId(string? sessionId) => _sessionId = sessionId;

    /// <summary>From here on requests carry a MAC and bodies travel encrypted under K.</summary>
    public void Establish(byte[] sessionKey)
    {
        _sessionKey = sessionKey;
        _mac = new RequestMac(sessionKey, _sessionId!);
    }

    /// <summary>A plain JSON request of the sign-in steps.</summary>
    public async Task<TResponse> SendPlainAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, string what, CancellationToken ct)
        where TResponse : class
    {
        var content = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, requestType);
        var bytes = await SendAsync(method, path, content, what, ct).ConfigureAwait(false);
        return Deserialize(bytes, responseType, what);
    }

    /// <summary>An encrypted request (body, if any, sealed under K) whose answer is an envelope under K.</summary>
    public async Task<TResponse> SendEncryptedAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest? body,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, string what, CancellationToken ct)
        where TResponse : class
    {
        var key = _sessionKey ?? throw new InvalidOperationException("The session is not established.");
        byte[]? content = null;
        if (body is not null)
        {
            var envelope = Envelopes.Encrypt(key, _sessionId!, JsonSerializer.SerializeToUtf8Bytes(body, requestType));
            content = JsonSerializer.SerializeToUtf8Bytes(envelope, OnePasswordJson.Wire.Envelope);
        }

        var bytes = await SendAsync(method, path, content, what, ct).ConfigureAwait(false);
        var answer = Deserialize(bytes, OnePasswordJson.Wire.Envelope, what);
        if (answer.Kid is not null && answer.Kid != _sessionId)
        {
            throw new OnePasswordProtocolException($"The {what} answer is encrypted for another session.");
        }

        return Deserialize(Envelopes.Decrypt(key, answer, what), responseType, what);
    }

    public Task<TResponse> GetAsync<TResponse>(string path, JsonTypeInfo<TResponse> responseType, string what, CancellationToken ct)
        where TResponse : class =>
        SendEncryptedAsync(HttpMethod.Get, path, null, OnePasswordJson.Wire.AnyAnswer, responseType, what, ct);

    private async Task<byte[]> SendAsync(HttpMethod method, string path, byte[]? content, string what, CancellationToken ct)
    {
        var uri = new Uri(_token.BaseUri, path);
        using var request = NoRetry.Mark(new HttpRequestMessage(method, uri));
        var requestId = _requestId++;
        AddHeaders(request, method, uri, requestId);
        if (content is not null)
        {
            // The SDK sends JSON text without a Content-Type header; ByteArrayContent adds none.
            request.Content = new ByteArrayContent(content);
        }

        RequestCount++;
        HttpResponseMessage response;
        try
        {
            // Headers only: the body is read under the response limits, never buffered whole by the client.
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested && ProviderHttpErrors.Translate(ex, nameof(ConnectInput.Token)) is { } translated)
        {
            _logger.LogWarning("1Password {Method} {What} failed: {Failure}", method.Method, what, ex.GetType().Name);
            throw translated;
        }

        using (response)
        {
            _logger.LogDebug("1Password {Method} {What}: {Status}", method.Method, what, (int)response.StatusCode);
            if (!response.IsSuccessStatusCode)
            {
                throw Failure(response, what);
            }

            try
            {
                return await BoundedBody.ReadBytesAsync(response, _limits, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested && ProviderHttpErrors.Translate(ex, nameof(ConnectInput.Token)) is { } translated)
            {
                throw translated;
            }
        }
    }

    private void AddHeaders(HttpRequestMessage request, HttpMethod method, Uri uri, long requestId)
    {
        var headers = request.Headers;
        headers.TryAddWithoutValidation("User-Agent", SdkIdentity.UserAgent);
        headers.TryAddWithoutValidation("X-AgileBits-Client", SdkIdentity.AgileBitsClient);
        headers.TryAddWithoutValidation("OP-User-Agent", SdkIdentity.OpUserAgent(_token.DeviceUuid));
        headers.TryAddWithoutValidation("OP-Data-Consistency", "eventual");
        headers.TryAddWithoutValidation("OP-Throttling-Token", _throttling.Current());
        headers.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));

        // Node's fetch, which carries the SDK's requests, adds these two; the service sees them on every SDK request.
        headers.TryAddWithoutValidation("Accept-Language", "*");
        headers.TryAddWithoutValidation("Sec-Fetch-Mode", "cors");
        if (_sessionId is not null)
        {
            headers.TryAddWithoutValidation("X-AgileBits-Session-ID", _sessionId);
        }

        if (_mac is not null)
        {
            headers.TryAddWithoutValidation("X-AgileBits-MAC", _mac.Header(method, uri, requestId));
        }
    }

    /// <summary>
    /// Maps an error status. 401/403 mean the service refuses this token (the caller decides whether that is a rejection);
    /// 429 stops everything with the provider's wait; the rest is the provider being unavailable.
    /// </summary>
    private Exception Failure(HttpResponseMessage response, string what)
    {
        var status = (int)response.StatusCode;
        _logger.LogWarning("1Password {What} answered {Status}", what, status);
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new OnePasswordThrottledException(ProviderHttpErrors.RetryAfter(response)),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new OnePasswordAuthException(status, what),
            HttpStatusCode.NotFound => new OnePasswordNotFoundException(what),
            HttpStatusCode.ServiceUnavailable => new ProviderUnavailableException(
                $"1Password is unavailable ({status}).", ProviderHttpErrors.RetryAfter(response)),
            _ => new ProviderUnavailableException($"1Password answered {status} to {what}."),
        };
    }

    private static T Deserialize<T>(byte[] json, JsonTypeInfo<T> type, string what) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(json, type) ?? throw new OnePasswordProtocolException($"The {what} answer is empty.");
        }
        catch (JsonException ex)
        {
            // The serializer's message can quote the document; keep only what we name ourselves.
            throw new OnePasswordProtocolException($"The {what} answer is not the expected JSON.", ex.GetType());
        }
    }
}

/// <summary>The service answered 401 or 403.</summary>
internal sealed class OnePasswordAuthException(int status, string what) : Exception($"1Password answered {status} to {what}.")
{
    public int Status { get; } = status;
}

/// <summary>The service answered 404.</summary>
/// <summary>429: 1Password asks this service account to wait (<see cref="RetryAfter"/>, when it says how long).</summary>
internal sealed class OnePasswordThrottledException(TimeSpan? retryAfter) : Exception("1Password is rate limiting this service account.")
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

internal sealed class OnePasswordNotFoundException(string what) : Exception($"1Password did not find the {what}.");

/// <summary>An answer that does not have the protocol's shape. Carries no part of the answer.</summary>
internal sealed class OnePasswordProtocolException(string message, Type? cause = null) : Exception(message)
{
    public Type? Cause { get; } = cause;
}
