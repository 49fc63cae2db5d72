using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Codes;
using Vault.Core.Errors;
using Vault.Core.Runs;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>One-time codes of a run: pushed with the API key, read (long-poll) by the agent runtime with the run token.</summary>
public sealed class CodeFunctions(ApiGate gate, RunService runs, CodeService codes)
{
    [Function(nameof(PushRunCode))]
    [ApiOperation("Codes", "Hand a message to a run (a forwarder of your own, a test)", Access.ApiKey, RequestBody = typeof(PushCodeRequest),
        Description = "The code and link are found in the text as for mail and SMS; the text itself is not kept.")]
    [ApiResponse(201, typeof(PushedCodeBody), "Received")]
    [ApiError(404, ErrorCodes.NotFound, "no such live run in this account")]
    public Task<IActionResult> PushRunCode([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/runs/{runId}/codes")] HttpRequest req, string runId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.PushCodeRequest).ConfigureAwait(false);
            if (string.IsNullOrEmpty(body.Text) || body.Text.Length > 20_000)
            {
                throw new InvalidRequestException("text", "is required (at most 20000 characters).",
                    string.IsNullOrEmpty(body.Text) ? InputProblemKind.Required : InputProblemKind.TooLong);
            }

            var id = await codes.PushAsync(call.Account, runId, body.Text, body.From, body.Subject, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(201, new PushedCodeBody(id), ApiJson.Default.PushedCodeBody);
        });

    [Function(nameof(GetRunCodes))]
    [ApiOperation("Codes", "The run's one-time codes, waiting for the next one if asked", Access.Custom, SecurityScheme = OpenApiSpec.RunTokenScheme,
        Description = "Called by the agent runtime with the run's token. With `wait`, answers as soon as a message arrives, or with none " +
            "after `wait` seconds. Codes are kept 10 minutes; every read that returns codes is audited first.")]
    [ApiQuery("wait", "Seconds to wait for a message when none is there yet.", Type = QueryType.Integer, Minimum = 0, Maximum = CodeService.MaxWaitSeconds, Default = 0)]
    [ApiQuery("after", "The cursor of the previous answer: only messages received since.")]
    [ApiResponse(200, typeof(RunCodesBody), "The codes after the cursor (perhaps none)")]
    [ApiError(401, ErrorCodes.Unauthorized, "missing, expired, revoked or another run's token, or an API key")]
    public Task<IActionResult> GetRunCodes([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/runs/{runId}/codes")] HttpRequest req, string runId) =>
        gate.HandleAsync(req, Access.Custom, async call =>
        {
            var run = await call.AuthenticateAsync(() => runs.AuthenticateAsync(runId, RunFunctions.BearerToken(req), call.Aborted)).ConfigureAwait(false);
            await call.AdmitAsync(run.AccountId).ConfigureAwait(false);
            var wait = Query.OptionalInt(req, "wait", 0, CodeService.MaxWaitSeconds) ?? 0;
            var caller = new RunCaller(call.ClientAddress, req.Headers.UserAgent.ToString());
            var page = await codes.ReadAsync(run, wait, Query.Optional(req, "after"), caller, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new RunCodesBody(page.Codes.Select(c => new RunCodeBody(c.Id, c.Channel, c.From, c.Subject, c.Code, c.Link, c.ReceivedAt.UtcDateTime)).ToList(),
                page.Cursor), ApiJson.Default.RunCodesBody);
        });
}
