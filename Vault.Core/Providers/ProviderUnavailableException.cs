namespace Vault.Core.Providers;

/// <summary>The provider failed, timed out, throttled us, or answered something we could not read.</summary>
public sealed class ProviderUnavailableException(string message, TimeSpan? retryAfter = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>How long the provider asked us to wait (429 Retry-After), if it said.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}
