namespace Vault.Core.Errors;

/// <summary>
/// An error the API answers with the contract's error body. Messages are shown to callers: never put a secret in one.
/// </summary>
public class ApiException(string code, string message) : Exception(message)
{
    /// <summary>The contract's error code; the HTTP layer answers it with the status the contract gives it.</summary>
    public string Code { get; } = code;

    /// <summary>Seconds for a Retry-After header, when the caller should wait.</summary>
    public int? RetryAfterSeconds { get; init; }
}
