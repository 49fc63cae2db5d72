using System.Net;

namespace Vault.Core.Errors;

/// <summary>
/// An error the API answers with the contract's error body. Messages are shown to callers: never put a secret in one.
/// </summary>
public class ApiException(HttpStatusCode status, string code, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string Code { get; } = code;

    /// <summary>Seconds for a Retry-After header, when the caller should wait.</summary>
    public int? RetryAfterSeconds { get; init; }
}

/// <summary>400 invalid_request; the message names the field.</summary>
public sealed class InvalidRequestException(string field, string problem)
    : ApiException(HttpStatusCode.BadRequest, ErrorCodes.InvalidRequest, $"{field}: {problem}")
{
    public string Field { get; } = field;
}

public static class ErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string RateLimited = "rate_limited";
    public const string InvalidVaultToken = "invalid_vault_token";
    public const string MaxConnections = "max_connections";
    public const string VaultUnavailable = "vault_unavailable";
    public const string NoConnections = "no_connections";
    public const string ReconnectRequired = "reconnect_required";
    public const string UnknownCredentialItem = "unknown_credential_item";
    public const string InternalError = "internal_error";
    public const string UnsupportedVaultEncryption = "UNSUPPORTED_VAULT_ENCRYPTION";
}

public static class ApiErrors
{
    public static ApiException Unauthorized() =>
        new(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized, "Missing or invalid credentials.");

    public static ApiException NotFound(string what = "resource") =>
        new(HttpStatusCode.NotFound, ErrorCodes.NotFound, $"The {what} was not found.");

    public static ApiException InvalidVaultToken() =>
        new(HttpStatusCode.BadRequest, ErrorCodes.InvalidVaultToken, "Invalid vault token");

    public static ApiException MaxConnections() =>
        new(HttpStatusCode.Conflict, ErrorCodes.MaxConnections,
            "At most 2 providers can be connected at the same time. Disconnect one first.");

    public static ApiException VaultUnavailable(string message = "The vault provider or a backing service is unavailable.", TimeSpan? retryAfter = null) =>
        new(HttpStatusCode.ServiceUnavailable, ErrorCodes.VaultUnavailable, message)
        {
            RetryAfterSeconds = retryAfter is { } wait ? (int)Math.Ceiling(Math.Max(1, wait.TotalSeconds)) : null,
        };

    public static ApiException NoConnections() =>
        new(HttpStatusCode.NotFound, ErrorCodes.NoConnections, "No vault connections exist yet. Connect a provider first with POST /v1/vault/connections.");

    public static ApiException ReconnectRequired() =>
        new(HttpStatusCode.Unauthorized, ErrorCodes.ReconnectRequired,
            "Every connection needs a reconnect: connect again with POST /v1/vault/connections using fresh credentials.");

    /// <summary>400: the vault uses an encryption format this service cannot read yet; <paramref name="part"/> names it.</summary>
    public static ApiException UnsupportedVaultEncryption(string part) =>
        new(HttpStatusCode.BadRequest, ErrorCodes.UnsupportedVaultEncryption,
            $"The vault uses an encryption format this service cannot read yet ({part}).");

    public static ApiException RateLimited(int retryAfterSeconds) =>
        new((HttpStatusCode)429, ErrorCodes.RateLimited, "Too many calls; retry later.") { RetryAfterSeconds = retryAfterSeconds };
}
