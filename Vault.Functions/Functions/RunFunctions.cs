using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Errors;
using Vault.Core.Runs;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>Runs: created with the API key; their credentials read by the agent runtime with the run's own token.</summary>
public sealed class RunFunctions(ApiGate gate, RunService runs, Vault.Core.Codes.CodeService codes)
{
    [Function(nameof(CreateRun))]
    [ApiOperation("Runs", "Start a run granted exactly the chosen credentials", Access.ApiKey, RequestBody = typeof(CreateRunRequest),
        Description = "With `credential_item_ids` the run is granted exactly those enabled items; with `use_vault: true` alone, every enabled " +
            "item, read by domain. The run token is in this answer only.")]
    [ApiResponse(201, typeof(RunBody), "Created; the run token is shown once", Variant = "RunCreated")]
    [ApiError(400, ErrorCodes.UnknownCredentialItem, "an id is not an enabled item of this account (the message lists them)")]
    public Task<IActionResult> CreateRun([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/runs")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.CreateRunRequest).ConfigureAwait(false);
            var created = await runs.CreateAsync(call.Account, call.KeyId, RunCommands.ToCommand(body), call.Aborted).ConfigureAwait(false);
            var inbox = await codes.OpenInboxAsync(created.Run, body.SmsCodes == true, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(201, ToBody(created.Run, created.Credentials, created.RunToken, inbox), ApiJson.Default.RunBody);
        });

    [Function(nameof(GetRun))]
    [ApiOperation("Runs", "A run, without its token", Access.ApiKey)]
    [ApiResponse(200, typeof(RunBody), "The run")]
    [ApiError(404, ErrorCodes.NotFound, "no such run in this account")]
    public Task<IActionResult> GetRun([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/runs/{runId}")] HttpRequest req, string runId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var view = await runs.GetAsync(call.Account, runId, call.Aborted).ConfigureAwait(false);
            var inbox = await codes.GetInboxAsync(view.Run, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, ToBody(view.Run, view.Credentials, null, inbox), ApiJson.Default.RunBody);
        });

    [Function(nameof(RevokeRun))]
    [ApiOperation("Runs", "Revoke a run: its token stops working at once", Access.ApiKey,
        Description = "From the answer on, the run's token is refused (401) on every instance and the run shows `\"status\": \"revoked\"`. " +
            "Revoking an API key revokes the runs it created the same way.")]
    [ApiResponse(204, null, "Revoked (also when it already was)")]
    [ApiError(404, ErrorCodes.NotFound, "no such run in this account")]
    public Task<IActionResult> RevokeRun([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/runs/{runId}")] HttpRequest req, string runId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            await runs.RevokeAsync(call.Account, runId, call.Aborted).ConfigureAwait(false);
            await codes.DropInboxAsync(runId, call.Aborted).ConfigureAwait(false); // its address stops taking mail, its codes go
            return ApiResult.NoContent();
        });

    [Function(nameof(GetRunAudit))]
    [ApiOperation("Runs", "The run's trail: every credential read, newest first", Access.ApiKey)]
    [ApiQuery("limit", "Entries per page.", Type = QueryType.Integer, Minimum = 1, Maximum = RunService.MaxAuditLimit, Default = RunService.DefaultAuditLimit)]
    [ApiQuery("pageToken", "The nextPageToken of the previous page.")]
    [ApiResponse(200, typeof(RunAuditBody), "A page of the trail")]
    [ApiError(404, ErrorCodes.NotFound, "no such run in this account")]
    public Task<IActionResult> GetRunAudit([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/runs/{runId}/audit")] HttpRequest req, string runId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var page = await runs.ReadAuditAsync(call.Account, runId,
                Query.OptionalInt(req, "limit", 1, RunService.MaxAuditLimit) ?? RunService.DefaultAuditLimit, Query.Optional(req, "pageToken"), call.Aborted).ConfigureAwait(false);
            var body = new RunAuditBody(page.Entries.Select(e => new RunAuditEntryBody(e.At.UtcDateTime, e.ItemIds, e.Domain, e.Caller.RemoteAddress, e.Caller.UserAgent)).ToList(),
                page.NextPageToken);
            return ApiResult.Json(200, body, ApiJson.Default.RunAuditBody);
        });

    [Function(nameof(GetRunCredentials))]
    [ApiOperation("Runs", "The run's credentials with secrets and current TOTP codes", Access.Custom, SecurityScheme = OpenApiSpec.RunTokenScheme,
        Description = "Called by the agent runtime with the run's token. Every call is written to the audit log before any secret leaves.")]
    [ApiQuery("domain", "Only items matching this site (URI match rules honoured); required for use_vault runs.")]
    [ApiResponse(200, typeof(RunCredentialsBody), "The granted credentials")]
    [ApiError(401, ErrorCodes.Unauthorized, "missing, expired or another run's token, or an API key")]
    [ApiError(503, ErrorCodes.VaultUnavailable, "the audit record or the provider failed; nothing was returned")]
    public Task<IActionResult> GetRunCredentials(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/runs/{runId}/credentials")] HttpRequest req, string runId) =>
        gate.HandleAsync(req, Access.Custom, async call =>
        {
            var run = await call.AuthenticateAsync(() => runs.AuthenticateAsync(runId, BearerToken(req), call.Aborted)).ConfigureAwait(false);
            await call.AdmitAsync(run.AccountId).ConfigureAwait(false);
            var caller = new RunCaller(req.HttpContext.Connection.RemoteIpAddress?.ToString(), req.Headers.UserAgent.ToString());
            var credentials = await runs.GetCredentialsAsync(run, Query.Site(req, "domain"), caller, call.Aborted).ConfigureAwait(false);
            var body = new RunCredentialsBody(credentials.Select(c => new RunCredentialBody(
                c.ItemId, c.Label, c.Username, c.Password, c.Urls, c.Totp is { } t ? new TotpBody(t.Code, t.ExpiresAt.UtcDateTime) : null)).ToList());
            return ApiResult.Json(200, body, ApiJson.Default.RunCredentialsBody);
        });

    private static RunBody ToBody(Run run, IReadOnlyList<GrantedCredential> credentials, string? token, Vault.Core.Codes.RunInbox inbox) => new()
    {
        Inbox = new RunInboxBody(inbox.Email, inbox.Sms),
        RunId = run.RunId,
        Status = run.Status,
        Url = run.Url,
        Credentials = credentials.Select(c => new RunCredentialSummaryBody(c.ItemId, c.Label, c.Username, c.Domains)).ToList(),
        RunToken = token,
        ExpiresAt = run.ExpiresAt.UtcDateTime,
    };

    internal static string? BearerToken(HttpRequest req)
    {
        if (req.Headers.Authorization.Count != 1)
        {
            return null;
        }

        var value = req.Headers.Authorization[0];
        return value is not null && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }
}
