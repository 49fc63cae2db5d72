using System.Globalization;
using Azure;
using Vault.Core.Errors;

namespace Vault.Core.Storage;

/// <summary>Storage and Key Vault failures become 503 VAULT_UNAVAILABLE: a backing service failed, a retry may succeed.</summary>
public static class StorageFailures
{
    public static bool IsBackingServiceFailure(Exception exception) =>
        exception is RequestFailedException or System.Net.Http.HttpRequestException or TimeoutException
            or Azure.Identity.AuthenticationFailedException or Azure.Identity.CredentialUnavailableException
            || (exception is AggregateException aggregate && aggregate.InnerExceptions.All(IsBackingServiceFailure));

    /// <summary>503, with the service's own Retry-After when it gave one (Key Vault throttling does).</summary>
    public static ApiException ToApiException(Exception exception) =>
        ApiErrors.VaultUnavailable("A backing service (storage or key vault) failed; retry later.", RetryAfterOf(exception));

    /// <summary>The Retry-After (seconds) of a failed Azure SDK request, if the service sent one.</summary>
    public static TimeSpan? RetryAfterOf(Exception exception)
    {
        var response = (exception as RequestFailedException)?.GetRawResponse();
        if (response is not null && response.Headers.TryGetValue("Retry-After", out var value)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return exception is AggregateException aggregate ? aggregate.InnerExceptions.Select(RetryAfterOf).Max() : null;
    }
}
