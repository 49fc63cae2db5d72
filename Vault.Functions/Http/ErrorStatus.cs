using Vault.Core.Errors;

namespace Vault.Functions.Http;

/// <summary>
/// The HTTP status of each of the contract's error codes (docs/api.md, "Errors"). Core speaks in codes only; this is
/// the one place a code becomes a status, and a test checks it against every error the OpenAPI document lists.
/// </summary>
public static class ErrorStatus
{
    public static int Of(string code) => code switch
    {
        ErrorCodes.InvalidInput or ErrorCodes.InvalidVaultToken or ErrorCodes.UnsupportedVaultEncryption or ErrorCodes.VaultTooLarge
            or ErrorCodes.UnknownCredentialItem => 400,
        ErrorCodes.MissingApiKey or ErrorCodes.InvalidApiKey or ErrorCodes.Unauthorized => 401,
        ErrorCodes.NotFound or ErrorCodes.NoConnections => 404,
        ErrorCodes.MaxConnections => 409,
        ErrorCodes.RateLimitExceeded => 429,
        ErrorCodes.VaultUnavailable => 503,
        _ => 500, // INTERNAL_ERROR, and a code added to Core but not here (the test catches that)
    };
}
