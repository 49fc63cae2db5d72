namespace Vault.Core.Errors;

/// <summary>The contract's errors Core throws, each with its code and message.</summary>
public static class ApiErrors
{
    /// <summary>A wrong or missing admin key or run token.</summary>
    public static ApiException Unauthorized() =>
        new(ErrorCodes.Unauthorized, "Missing or invalid credentials.");

    public static ApiException MissingApiKey() =>
        new(ErrorCodes.MissingApiKey, "X-API-Key header is required");

    public static ApiException InvalidApiKey() =>
        new(ErrorCodes.InvalidApiKey, "Invalid or expired API key");

    public static ApiException NotFound(string what = "resource") =>
        new(ErrorCodes.NotFound, $"The {what} was not found.");

    public static ApiException InvalidVaultToken() =>
        new(ErrorCodes.InvalidVaultToken, "Invalid vault token");

    /// <summary>The vault uses an encryption format this service cannot read yet; <paramref name="what"/> names it (never key material).</summary>
    public static ApiException UnsupportedVaultEncryption(string what) =>
        new(ErrorCodes.UnsupportedVaultEncryption,
            $"This vault uses an encryption format that is not supported yet: {what}.");

    /// <summary>The provider's answer is over one of the service's limits; <paramref name="limit"/> names it.</summary>
    public static ApiException VaultTooLarge(string limit) =>
        new(ErrorCodes.VaultTooLarge,
            $"The vault is larger than this service accepts: {limit}. The limits are set by the operator (Vault__Limits__*).");

    public static ApiException MaxConnections() =>
        new(ErrorCodes.MaxConnections,
            "At most 2 providers can be connected at the same time. Disconnect one first.");

    public static ApiException VaultUnavailable(string message = "The vault provider or a backing service is unavailable.", TimeSpan? retryAfter = null) =>
        new(ErrorCodes.VaultUnavailable, message)
        {
            RetryAfterSeconds = retryAfter is { } wait ? (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds)) : null,
        };

    public static ApiException NoConnections() =>
        new(ErrorCodes.NoConnections, "No vault connections exist yet. Connect a provider first with POST /v1/vault/connections.");

    /// <summary>No connection synced because every one needs a reconnect (the hosted product's 401 for an expired vault connection).</summary>
    public static ApiException ReconnectRequired() =>
        new(ErrorCodes.Unauthorized,
            "Every connection needs a reconnect: connect again with POST /v1/vault/connections using fresh credentials.");

    public static ApiException RateLimited(int retryAfterSeconds) =>
        new(ErrorCodes.RateLimitExceeded, "Too many calls; retry later.") { RetryAfterSeconds = retryAfterSeconds };
}
