namespace Vault.Core.Providers.Keeper.Api;

/// <summary>Keeper answered a request with an error (its <c>error</c> code and HTTP status; the message has no secret).</summary>
internal sealed class KeeperApiException(int status, string? code, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status { get; } = status;

    /// <summary>Keeper's code: <c>throttled</c>, <c>key</c>, <c>access_denied</c>, …</summary>
    public string? Code { get; } = code;

    /// <summary>For <c>throttled</c>: the <c>retry_after</c> it named.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public bool IsThrottled => Code == "throttled";

    /// <summary>401 or 403 that is not throttling: the device or token is refused (used token, revoked application, bad signature).</summary>
    public bool IsRefusal => Status is 401 or 403 && Code is not ("throttled" or "key");
}
