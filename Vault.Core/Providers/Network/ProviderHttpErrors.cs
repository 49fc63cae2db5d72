using System.Net;
using Vault.Core.Errors;

namespace Vault.Core.Providers.Network;

/// <summary>Turns transport failures of provider calls into the provider seam's exceptions, with no secret in them.</summary>
public static class ProviderHttpErrors
{
    /// <summary>
    /// Maps an exception thrown while calling a provider: a forbidden address is the user's input problem
    /// (400 on <paramref name="addressField"/>), timeouts and transport errors mean the provider is unavailable.
    /// Returns null for exceptions that are not transport failures.
    /// </summary>
    public static Exception? Translate(Exception exception, string addressField)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundAddressForbiddenException)
            {
                return new InvalidCommandException(addressField, "must not point to a private, loopback, link-local or metadata address.", InputProblemKind.NotAllowed);
            }
        }

        return exception switch
        {
            HttpRequestException => new ProviderUnavailableException("The provider could not be reached.", null, exception),
            Polly.Timeout.TimeoutRejectedException or TaskCanceledException or TimeoutException =>
                new ProviderUnavailableException("The provider did not answer in time.", null, exception),
            _ => null,
        };
    }

    /// <summary>The wait a 429 or 503 answer asked for, if any.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return response.StatusCode == HttpStatusCode.TooManyRequests ? TimeSpan.FromSeconds(60) : null;
    }
}
