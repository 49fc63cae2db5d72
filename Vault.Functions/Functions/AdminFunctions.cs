using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Accounts;
using Vault.Core.Errors;
using Vault.Functions.Http;

namespace Vault.Functions.Functions;

/// <summary>The operator's routes: accounts and their API keys.</summary>
public sealed class AdminFunctions(ApiGate gate, AccountService accounts)
{
    [Function(nameof(CreateAccount))]
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
    public Task<IActionResult> CreateApiKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/admin/accounts/{accountId}/keys")] HttpRequest req, string accountId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            var created = await accounts.CreateKeyAsync(accountId, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(201, new CreatedKeyBody(created.KeyId, created.ApiKey), ApiJson.Default.CreatedKeyBody);
        });

    [Function(nameof(RevokeApiKey))]
    public Task<IActionResult> RevokeApiKey(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/admin/accounts/{accountId}/keys/{keyId}")] HttpRequest req,
        string accountId, string keyId) =>
        gate.HandleAsync(req, Access.Admin, async call =>
        {
            await accounts.RevokeKeyAsync(accountId, keyId, call.Aborted).ConfigureAwait(false);
            return ApiResult.NoContent();
        });
}
