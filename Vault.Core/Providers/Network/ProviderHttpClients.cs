using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Vault.Core.Providers.Network;

/// <summary>
/// HttpClients for provider calls: the guarded socket handler, timeouts, and retries of idempotent requests on transient
/// failures. Never retries 429 (providers' budgets are small: the caller reports the wait instead) nor non-idempotent
/// requests (a sign-in POST is not repeated). Handlers are long-lived and shared, one per trusted private CA.
/// </summary>
public sealed class ProviderHttpClients : IDisposable
{
    private readonly NetworkOptions _options;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ConcurrentDictionary<string, HttpMessageHandler> _handlers = new(StringComparer.Ordinal);

    /// <param name="clock">Drives the timeouts and retry delays (tests move a fake one instead of waiting).</param>
    public ProviderHttpClients(IOptions<NetworkOptions> options, TimeProvider? clock = null, IOptions<ProviderLimits>? limits = null)
    {
        _options = options.Value;
        Limits = limits?.Value ?? new ProviderLimits();
        _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock ?? TimeProvider.System }
            .AddTimeout(_options.TotalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(300),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Context.GetRequestMessage(), args.Outcome)),
            })
            .AddTimeout(_options.AttemptTimeout)
            .Build();
    }

    public bool AllowPrivateHosts => _options.AllowPrivateProviderHosts;

    /// <summary>What one answer may cost; providers read every body through <see cref="BoundedBody"/> under these.</summary>
    public ProviderLimits Limits { get; }

    /// <summary>A client for one provider endpoint. <paramref name="privateCaPem"/>: a CA trusted for this endpoint only.</summary>
    public HttpClient Create(string? privateCaPem = null)
    {
        var key = privateCaPem is null ? string.Empty : Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(privateCaPem)));
        var handler = _handlers.GetOrAdd(key, _ =>
        {
            var ca = privateCaPem is null ? null : X509Certificate2.CreateFromPem(privateCaPem);
            return new ResilienceHandler(_pipeline) { InnerHandler = GuardedHandler.Create(_options.AllowPrivateProviderHosts, ca) };
        });
        return new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool IsRetryable(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (request is null || NoRetry.IsSet(request) || (request.Method != HttpMethod.Get && request.Method != HttpMethod.Head))
        {
            return false;
        }

        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException { InnerException: not OutboundAddressForbiddenException }
                or Polly.Timeout.TimeoutRejectedException;
        }

        return outcome.Result!.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.InternalServerError or HttpStatusCode.RequestTimeout;
    }

    public void Dispose()
    {
        foreach (var handler in _handlers.Values)
        {
            handler.Dispose();
        }
    }
}
