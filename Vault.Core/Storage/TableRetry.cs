using Azure.Core;

namespace Vault.Core.Storage;

/// <summary>
/// The retry policy of every Table Storage client the app registers. Over its scalability targets (about 2,000
/// entities/s per partition, 20,000 per account) Table Storage answers <c>503 ServerBusy</c>; Azure.Core's default
/// classifier retries it (with 408, 429, 500, 502, 504 and transport failures). Exponential mode with Azure.Core's
/// built-in jitter (each delay times 0.8–1.2) spreads a throttled burst's retries instead of sending them back in
/// step: attempts wait about 0.5, 1, 2 and 4 s (capped at <see cref="MaxDelay"/>), 7.5 s in all, which rides out
/// a partition's one-second budget several times over and keeps a request's worst case near the SDK default's
/// (0.8, 1.6, 3.2 s). Azure.Core also honours a Retry-After (or retry-after-ms / x-ms-retry-after-ms) header on any
/// retried answer: it waits the larger of that and its own delay (Table Storage's ServerBusy sends none).
/// </summary>
public static class TableRetry
{
    public static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(4);
    public const int MaxRetries = 4;

    /// <summary>
    /// One table operation or page is milliseconds to a few hundred (a 4 MiB batch, a 1,000-entity page); the SDK's
    /// 100 s would hold a Functions instance on a dead connection far past any caller's patience.
    /// </summary>
    public static readonly TimeSpan NetworkTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Sets the policy on a client's <see cref="RetryOptions"/> (<c>TableClientOptions.Retry</c>).</summary>
    public static void Apply(RetryOptions retry)
    {
        ArgumentNullException.ThrowIfNull(retry);
        retry.Mode = RetryMode.Exponential;
        retry.Delay = Delay;
        retry.MaxDelay = MaxDelay;
        retry.MaxRetries = MaxRetries;
        retry.NetworkTimeout = NetworkTimeout;
    }
}
