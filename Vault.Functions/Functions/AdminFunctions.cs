using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Accounts;
using Vault.Core.Errors;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>The operator's routes: accounts and their API keys.</summary>
public sealed class AdminFunctions(ApiGate gate, AccountService accounts, Vault.Core.Connections.AccountDeletion deletion, Vault.Core.Codes.CodeService codes)
{
    [Function(nameof(SetSmsNumber))]
    [ApiOperation("Admin", "Assign the account an SMS number: texts to it reach its runs created with smsCodes", Access.Admin, RequestBody = typeof(SmsNumberRequest))]
    [ApiResponse(200, typeof(SmsNumberBody), "Assigned (replacing any number the account had)")]
    [ApiError(404, ErrorCodes.NotFound, "no such account")]
    public Task<IActionResult> SetSmsNumber(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "v1/admin/accounts/{accountId}/sms-number")] HttpRequest req, string accountId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.SmsNumberRequest).ConfigureAwait(false);
            await accounts.EnsureExistsAsync(accountId, call.Aborted).ConfigureAwait(false);
            var number = await codes.SetSmsNumberAsync(accountId, body.Number, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new SmsNumberBody(accountId, number), ApiJson.Default.SmsNumberBody);
        });

    [Function(nameof(DeleteSmsNumber))]
    [ApiOperation("Admin", "Take the account's SMS number away", Access.Admin)]
    [ApiResponse(204, null, "Removed")]
    [ApiError(404, ErrorCodes.NotFound, "no such account, or it has no number")]
    public Task<IActionResult> DeleteSmsNumber(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/admin/accounts/{accountId}/sms-number")] HttpRequest req, string accountId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            await accounts.EnsureExistsAsync(accountId, call.Aborted).ConfigureAwait(false);
            await codes.DeleteSmsNumberAsync(accountId, call.Aborted).ConfigureAwait(false);
            return ApiResult.NoContent();
        });

    [Function(nameof(DeleteAccount))]
    [ApiOperation("Admin", "Delete an account: its keys, runs and connections, each connection's key shredded first", Access.Admin,
        Description = "Its API keys (and the runs they created) stop working first; then every connection is disconnected as " +
            "`DELETE /v1/vault/connections/{connectionId}` does it (its data key deleted before its rows); then the account.")]
    [ApiResponse(204, null, "Deleted")]
    [ApiError(404, ErrorCodes.NotFound, "no such account")]
    [ApiError(503, ErrorCodes.VaultUnavailable, "a backing service failed part-way; retry to finish")]
    public Task<IActionResult> DeleteAccount(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/admin/accounts/{accountId}")] HttpRequest req, string accountId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            await deletion.DeleteAsync(accountId, call.Aborted).ConfigureAwait(false);
            return ApiResult.NoContent();
        });

    [Function(nameof(CreateAccount))]
    [ApiOperation("Admin", "Create an account and its first API key (shown once)", Access.Admin, RequestBody = typeof(CreateAccountRequest))]
    [ApiResponse(201, typeof(CreatedAccountBody), "Created; only the key's hash is stored")]
    public Task<IActionResult> CreateAccount([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/accounts")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.CreateAccountRequest).ConfigureAwait(false);
            var name = body.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 200)
            {
                throw new InvalidRequestException("name", "is required (1 to 200 characters).",
                    string.IsNullOrEmpty(name) ? InputProblemKind.Required : InputProblemKind.TooLong);
            }

            var created = await accounts.CreateAccountAsync(name, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(201, new CreatedAccountBody(created.AccountId, created.KeyId, created.ApiKey), ApiJson.Default.CreatedAccountBody);
        });

    [Function(nameof(CreateApiKey))]
    [ApiOperation("Admin", "Create another API key for the account (shown once)", Access.Admin)]
    [ApiResponse(201, typeof(CreatedKeyBody), "Created")]
    [ApiError(404, ErrorCodes.NotFound, "no such account")]
    public Task<IActionResult> CreateApiKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/accounts/{accountId}/keys")] HttpRequest req, string accountId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            var created = await accounts.CreateKeyAsync(accountId, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(201, new CreatedKeyBody(created.KeyId, created.ApiKey), ApiJson.Default.CreatedKeyBody);
        });

    [Function(nameof(RevokeApiKey))]
    [ApiOperation("Admin", "Revoke an API key; it stops working at once", Access.Admin)]
    [ApiResponse(204, null, "Revoked")]
    [ApiError(404, ErrorCodes.NotFound, "no such account or key")]
    public Task<IActionResult> RevokeApiKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/admin/accounts/{accountId}/keys/{keyId}")] HttpRequest req,
        string accountId, string keyId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            await accounts.RevokeKeyAsync(accountId, keyId, call.Aborted).ConfigureAwait(false);
            return ApiResult.NoContent();
        });
}
