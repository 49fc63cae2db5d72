namespace Vault.Core.Providers.Keeper.Api;

/// <summary>Keeper answered a request with an error (its <c>error</c> code and HTTP status; the message has no secret).</summary>
internal sealed class KeeperApiException(int status, string? code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>Keeper's code: <c>throttled</c>, <c>key</c>, <c>access_denied</c>, …</summary>
    public string? Code { get; } = code;

    /// <summary>For <c>throttled</c>: the <c>retry_after</c> it named.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    /// <summary>Keeper throttles with 403 <c>throttled</c>; a 429 is taken the same way.</summary>
    public bool IsThrottled => Code == "throttled" || Status == 429;

    /// <summary>
    /// A 4xx that is neither throttling nor a key rotation, nor a missing endpoint: the device or token is refused (a used
    /// token, a revoked application, a signature Keeper does not accept: <c>access_denied</c>, <c>invalid_client</c>, …).
    /// </summary>
    public bool IsRefusal => Status is >= 400 and < 500 and not (404 or 408) && !IsThrottled && Code != "key";
}
