using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core;
using Vault.Core.Accounts;
using Vault.Core.Common;
using Vault.Core.Errors;
using Vault.Core.Storage;

namespace Vault.Functions.Http;

/// <summary>Who may call a route.</summary>
public enum Access
{
    /// <summary>No key (health, OpenAPI).</summary>
    Public,

    /// <summary><c>X-Admin-Key</c> equal to <c>Vault__AdminKey</c>.</summary>
    Admin,

    /// <summary><c>X-API-Key</c> of an account.</summary>
    ApiKey,

    /// <summary>
    /// The handler authenticates itself (run token) and then calls <see cref="ApiCall.AdmitAsync"/>: from there the call
    /// is the account's, under its rate limit and metered, like an API-key call.
    /// </summary>
    Custom,
}

/// <summary>One API call in progress.</summary>
public sealed class ApiCall(HttpRequest request, string requestId, string route, Func<ApiCall, Task>? admit = null, Action? authFailed = null)
{
    public HttpRequest Request { get; } = request;
    public string RequestId { get; } = requestId;
    public string Route { get; } = route;
    public CancellationToken Aborted => Request.HttpContext.RequestAborted;

    /// <summary>The calling account once authenticated; billed calls are counted against it.</summary>
    public string? AccountId { get; set; }

    public string Account => AccountId ?? throw new InvalidOperationException("Not authenticated.");

    /// <summary>The client's address (the first X-Forwarded-For hop behind a trusted front end, else the socket's).</summary>
    public string? ClientAddress { get; init; }

    /// <summary>The API key's id on <see cref="Access.ApiKey"/> routes (a run remembers the key that created it).</summary>
    public string? KeyId { get; set; }

    /// <summary>
    /// For <see cref="Access.Custom"/> routes: runs the handler's own authentication (a run token); a 401 from it counts
    /// as a failed attempt of the client address, as a wrong API key does.
    /// </summary>
    public async Task<T> AuthenticateAsync<T>(Func<Task<T>> authenticate)
    {
        try
        {
            return await authenticate().ConfigureAwait(false);
        }
        catch (ApiException ex) when (ErrorStatus.Of(ex.Code) == 401)
        {
            authFailed?.Invoke();
            throw;
        }
    }

    /// <summary>
    /// For <see cref="Access.Custom"/> routes: the handler has authenticated the caller as <paramref name="accountId"/>.
    /// The account's rate limit applies (a 429 is thrown when it is used up) and the call is billed to it.
    /// </summary>
    public async Task AdmitAsync(string accountId)
    {
        AccountId = accountId;
        if (admit is not null)
        {
            await admit(this).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// What every HTTP function runs through, identically under the Functions host and in standalone mode: request id,
/// authentication, the per-account rate limit, mapping of Core errors to the contract's error body, and metering of
/// billable calls (authenticated, status below 500, not 429).
/// </summary>
public sealed class ApiGate(
    AccountService accounts,
    AccountRateLimiter rateLimiter,
    FailedAuthThrottle authThrottle,
    Metering metering,
    IOptions<VaultOptions> options,
    ILogger<ApiGate> logger)
{
    public const string ApiKeyHeader = "X-API-Key";
    public const string AdminKeyHeader = "X-Admin-Key";

    public async Task<IActionResult> HandleAsync(
        HttpRequest request, Access access, Func<ApiCall, Task<ApiResult>> handler, [CallerMemberName] string function = "")
    {
        var declaration = FunctionRoutes.ByFunctionName(function);
        if (declaration.Operation is { } declared && declared.Access != access)
        {
            // The OpenAPI document describes the declared access: a function must not enforce another one.
            throw new InvalidOperationException($"{function} declares {declared.Access} access but calls the gate with {access}.");
        }

        var route = declaration.Key;
        var address = authThrottle.ClientAddress(request.Headers["X-Forwarded-For"].ToString(), request.HttpContext.Connection.RemoteIpAddress?.ToString());
        var call = new ApiCall(request, "req_" + Ids.RandomBase32(10), route, LimitRateAsync, () => authThrottle.RecordFailure(address)) { ClientAddress = address };
        ApiResult result;
        try
        {
            // An address that keeps failing to authenticate is refused before any storage look-up.
            if (access != Access.Public && authThrottle.RetryAfter(address) is { } wait)
            {
                logger.LogWarning("{Route}: too many failed authentications from one client address; answered 429", route);
                throw ApiErrors.RateLimited(wait);
            }

            await AuthorizeAsync(call, access, address).ConfigureAwait(false);
            result = await handler(call).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            result = Error(call, ex);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            logger.LogWarning("{Route} failed on a backing service: {ErrorType} (request {RequestId})", route, ex.GetType().Name, call.RequestId);
            result = Error(call, StorageFailures.ToApiException(ex));
        }
        catch (OperationCanceledException) when (call.Aborted.IsCancellationRequested)
        {
            // The caller went away; nothing is billed.
            return Error(call, ApiErrors.VaultUnavailable("The request was cancelled."));
        }
        catch (Exception ex)
        {
            // Only the type: exception messages of third-party code are not trusted to be free of secrets.
            logger.LogError("{Route} failed unexpectedly: {ErrorType} at {Site} (request {RequestId})", route, ex.GetType().FullName,
                ex.TargetSite?.Name, call.RequestId);
            result = Error(call, new ApiException(ErrorCodes.InternalError, "An unexpected error occurred."));
        }

        // Counted before it is answered: a call that cannot be counted is answered 503, which is not billable.
        if (!await MeterAsync(call, result.Status).ConfigureAwait(false))
        {
            result = Error(call, ApiErrors.VaultUnavailable("The call could not be recorded for billing; retry later."));
        }

        result.Headers["X-Request-Id"] = call.RequestId;
        return result;
    }

    private async Task AuthorizeAsync(ApiCall call, Access access, string? address)
    {
        switch (access)
        {
            case Access.Admin:
                var adminKey = options.Value.AdminKey;
                if (string.IsNullOrEmpty(adminKey))
                {
                    throw ApiErrors.NotFound("route");
                }

                if (!ConstantTime.Equals(SingleHeader(call.Request, AdminKeyHeader), adminKey))
                {
                    authThrottle.RecordFailure(address);
                    throw ApiErrors.Unauthorized();
                }

                break;
            case Access.ApiKey:
                if (!call.Request.Headers.TryGetValue(ApiKeyHeader, out var keys) || keys.All(string.IsNullOrWhiteSpace))
                {
                    throw ApiErrors.MissingApiKey();
                }

                var identity = await accounts.IdentifyAsync(SingleHeader(call.Request, ApiKeyHeader), call.Aborted).ConfigureAwait(false);
                if (identity is null)
                {
                    authThrottle.RecordFailure(address);
                    throw ApiErrors.InvalidApiKey();
                }

                call.AccountId = identity.AccountId;
                call.KeyId = identity.KeyId;
                await LimitRateAsync(call).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The authenticated account's per-minute rate limit; 429 with Retry-After when it is used up.</summary>
    private async Task LimitRateAsync(ApiCall call)
    {
        if (await rateLimiter.TryAcquireAsync(call.Account, call.Aborted).ConfigureAwait(false) is { } retryAfter)
        {
            throw ApiErrors.RateLimited(retryAfter);
        }
    }

    /// <summary>Records a billable call (see <see cref="Metering"/> for the guarantee); false when it could not be recorded.</summary>
    private async Task<bool> MeterAsync(ApiCall call, int status)
    {
        if (call.AccountId is null || status >= 500 || status == StatusCodes.Status429TooManyRequests)
        {
            return true;
        }

        try
        {
            await metering.CountAsync(call.AccountId, call.Route, call.RequestId, CancellationToken.None).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex)
        {
            logger.LogError("Billable call on {Route} could not be counted: {ErrorType} (request {RequestId}); answered 503", call.Route, ex.GetType().Name, call.RequestId);
            return false;
        }
    }

    private static System.Text.Json.Nodes.JsonArray ToJsonPath(IReadOnlyList<object> path) =>
        new(path.Select(segment => segment is int index
            ? System.Text.Json.Nodes.JsonValue.Create(index)
            : (System.Text.Json.Nodes.JsonNode)System.Text.Json.Nodes.JsonValue.Create(segment.ToString()!)).ToArray());

    private static string? SingleHeader(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count == 1 ? values[0]?.Trim() : null;

    public static ApiResult Error(ApiCall call, ApiException ex)
    {
        if (ex is InvalidCommandException refused)
        {
            ex = CommandFields.ToRequestError(refused); // Core named its parameter; the answer names the field
        }

        var details = ex is InvalidRequestException invalid
            ? invalid.Problems.Select(p => new ErrorDetailEntry(ToJsonPath(p.Path), p.Kind, p.Message)).ToList()
            : null;
        var body = new ErrorBody { Error = new ErrorDetail(ex.Code, ex.Message, call.RequestId, details) };
        var result = ApiResult.Json(ErrorStatus.Of(ex.Code), body, ApiJson.Default.ErrorBody);
        if (ex.RetryAfterSeconds is { } seconds)
        {
            result.Headers["Retry-After"] = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        result.Headers["X-Request-Id"] = call.RequestId;
        return result;
    }
}
