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

    public static ApiException ToApiException(Exception exception) =>
        ApiErrors.VaultUnavailable("A backing service (storage or key vault) failed; retry later.");
}
