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

/// <summary>
/// 400 INVALID_INPUT with one <see cref="InputProblem"/> per problem (the contract's <c>details</c>). The message is built
/// from the problems, so a single-problem error reads "field: problem".
/// </summary>
public sealed class InvalidRequestException : ApiException
{
    public InvalidRequestException(string field, string problem, string kind = InputProblemKind.InvalidFormat)
        : this([new InputProblem(InputPath.Parse(field), kind, problem)])
    {
    }

    public InvalidRequestException(IReadOnlyList<InputProblem> problems)
        : base(HttpStatusCode.BadRequest, ErrorCodes.InvalidInput, Describe(problems))
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("At least one problem is needed.", nameof(problems));
        }

        Problems = problems;
    }

    public IReadOnlyList<InputProblem> Problems { get; }

    /// <summary>The first problem's field, as the caller wrote it (e.g. <c>credential_item_ids[2]</c>).</summary>
    public string Field => InputPath.Format(Problems[0].Path);

    private static string Describe(IReadOnlyList<InputProblem> problems) =>
        string.Join("; ", problems.Select(p => p.Path.Count == 0 ? p.Message : $"{InputPath.Format(p.Path)}: {p.Message}"));
}

/// <summary>One entry of an INVALID_INPUT error's <c>details</c>: where (JSON path as names and indexes), what kind, and a message.</summary>
public sealed record InputProblem(IReadOnlyList<object> Path, string Kind, string Message);

/// <summary>The contract's detail codes (docs/api.md, "Errors").</summary>
public static class InputProblemKind
{
    public const string Required = "required";
    public const string InvalidType = "invalid_type";
    public const string InvalidFormat = "invalid_format";
    public const string TooLong = "too_long";
    public const string OutOfRange = "out_of_range";
    public const string NotAllowed = "not_allowed";
    public const string InvalidJson = "invalid_json";
}

/// <summary>Field paths: <c>a.b[2]</c> ⇄ <c>["a", "b", 2]</c>; "body" (the whole body) is the empty path.</summary>
public static class InputPath
{
    public static IReadOnlyList<object> Parse(string field)
    {
        if (string.IsNullOrEmpty(field) || field is "body" or "$")
        {
            return [];
        }

        var path = new List<object>();
        foreach (var part in field.TrimStart('$', '.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = part;
            var bracket = rest.IndexOf('[', StringComparison.Ordinal);
            if (bracket != 0)
            {
                path.Add(bracket < 0 ? rest : rest[..bracket]);
            }

            while (bracket >= 0)
            {
                var close = rest.IndexOf(']', bracket);
                if (close < 0)
                {
                    break;
                }

                var inner = rest[(bracket + 1)..close].Trim('\'', '"');
                path.Add(int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                    ? index
                    : inner);
                rest = rest[(close + 1)..];
                bracket = rest.IndexOf('[', StringComparison.Ordinal);
            }
        }

        return path;
    }

    public static string Format(IReadOnlyList<object> path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(segment);
            }
        }

        return text.Length == 0 ? "body" : text.ToString();
    }
}

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

public static class ApiErrors
{
    /// <summary>A wrong or missing admin key or run token.</summary>
    public static ApiException Unauthorized() =>
        new(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized, "Missing or invalid credentials.");

    public static ApiException MissingApiKey() =>
        new(HttpStatusCode.Unauthorized, ErrorCodes.MissingApiKey, "X-API-Key header is required");

    public static ApiException InvalidApiKey() =>
        new(HttpStatusCode.Unauthorized, ErrorCodes.InvalidApiKey, "Invalid or expired API key");

    public static ApiException NotFound(string what = "resource") =>
        new(HttpStatusCode.NotFound, ErrorCodes.NotFound, $"The {what} was not found.");

    public static ApiException InvalidVaultToken() =>
        new(HttpStatusCode.BadRequest, ErrorCodes.InvalidVaultToken, "Invalid vault token");

    /// <summary>The vault uses an encryption format this service cannot read yet; <paramref name="what"/> names it (never key material).</summary>
    public static ApiException UnsupportedVaultEncryption(string what) =>
        new(HttpStatusCode.BadRequest, ErrorCodes.UnsupportedVaultEncryption,
            $"This vault uses an encryption format that is not supported yet: {what}.");

    /// <summary>The provider's answer is over one of the service's limits; <paramref name="limit"/> names it.</summary>
    public static ApiException VaultTooLarge(string limit) =>
        new(HttpStatusCode.BadRequest, ErrorCodes.VaultTooLarge,
            $"The vault is larger than this service accepts: {limit}. The limits are set by the operator (Vault__Limits__*).");

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

    /// <summary>No connection synced because every one needs a reconnect (the hosted product's 401 for an expired vault connection).</summary>
    public static ApiException ReconnectRequired() =>
        new(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized,
            "Every connection needs a reconnect: connect again with POST /v1/vault/connections using fresh credentials.");

    public static ApiException RateLimited(int retryAfterSeconds) =>
        new((HttpStatusCode)429, ErrorCodes.RateLimitExceeded, "Too many calls; retry later.") { RetryAfterSeconds = retryAfterSeconds };
}
