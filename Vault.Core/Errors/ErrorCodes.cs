namespace Vault.Core.Errors;

/// <summary>The contract's error codes (docs/api.md, "Errors"): UPPER_SNAKE, the hosted product's where it documents one.</summary>
public static class ErrorCodes
{
    public const string InvalidInput = "INVALID_INPUT";
    public const string MissingApiKey = "MISSING_API_KEY";
    public const string InvalidApiKey = "INVALID_API_KEY";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string NotFound = "NOT_FOUND";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string InvalidVaultToken = "INVALID_VAULT_TOKEN";
    public const string UnsupportedVaultEncryption = "UNSUPPORTED_VAULT_ENCRYPTION";
    public const string MaxConnections = "MAX_CONNECTIONS";
    public const string VaultTooLarge = "VAULT_TOO_LARGE";
    public const string VaultUnavailable = "VAULT_UNAVAILABLE";
    public const string NoConnections = "NO_CONNECTIONS";
    public const string UnknownCredentialItem = "UNKNOWN_CREDENTIAL_ITEM";
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>Every code the API can answer, for documentation and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        InvalidInput, MissingApiKey, InvalidApiKey, Unauthorized, NotFound, RateLimitExceeded, InvalidVaultToken,
        UnsupportedVaultEncryption, MaxConnections, VaultUnavailable, NoConnections, UnknownCredentialItem, InternalError, VaultTooLarge,
    ];
}
