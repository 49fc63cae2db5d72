using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

public sealed class ConnectionFunctions(ApiGate gate, ConnectionService connections, Vault.Core.Resync.ResyncPlanner schedule)
{
    [Function(nameof(CreateConnection))]
    [ApiOperation("Connections", "Connect a password manager and run its first sync", Access.ApiKey, RequestBody = typeof(ConnectRequest),
        Description = "1Password: `{\"provider\": \"1password\", \"token\": \"ops_...\"}`. Bitwarden: `provider`, `clientId`, `clientSecret`, " +
            "`masterPassword`, optionally `serverUrl` (self-hosted), `region` (`eu`) and `serverCaCertificate`. Keeper Secrets Manager: " +
            "`{\"provider\": \"keeper\", \"token\": \"US:...\"}` with the one-time access token (it binds once; a used token is " +
            "`INVALID_VAULT_TOKEN`) or a bound device's base64 configuration, re-connected in place by its client id. Credentials of an identity " +
            "that is connected already re-connect it in place (same id, `200`).")]
    [ApiResponse(200, typeof(ConnectionBody), "Re-connected in place, with its synced items", Variant = "ConnectionWithItems")]
    [ApiResponse(201, typeof(ConnectionBody), "Connected, with its synced items", Variant = "ConnectionWithItems")]
    [ApiError(400, ErrorCodes.InvalidVaultToken, "the provider rejected the credentials, or the master password does not decrypt the vault")]
    [ApiError(400, ErrorCodes.UnsupportedVaultEncryption, "the vault uses an encryption format this service cannot read yet")]
    [ApiError(400, ErrorCodes.VaultTooLarge, "the provider's answer is over one of the service's limits (size, items, depth); the message names it")]
    [ApiError(409, ErrorCodes.MaxConnections, "two connections exist already")]
    [ApiError(503, ErrorCodes.VaultUnavailable, "the provider failed or timed out")]
    public Task<IActionResult> CreateConnection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/vault/connections")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.ConnectRequest).ConfigureAwait(false);
            var result = await connections.ConnectAsync(call.Account, ApiMapping.ToInput(body), call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(result.Created ? 201 : 200, ApiMapping.ToConnectedBody(result.Connection, result.Items, schedule.NextSyncAt(result.Connection)), ApiJson.Default.ConnectionBody);
        });

    [Function(nameof(ListConnections))]
    [ApiOperation("Connections", "List connections", Access.ApiKey)]
    [ApiResponse(200, typeof(ConnectionListBody), "The account's connections (may be empty)")]
    public Task<IActionResult> ListConnections([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/vault/connections")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var list = await connections.ListAsync(call.Account, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new ConnectionListBody(list.Select(c => ApiMapping.ToBody(c, nextSyncAt: c.Status == Vault.Core.Connections.ConnectionStatus.Active ? schedule.NextSyncAt(c) : null)).ToList()), ApiJson.Default.ConnectionListBody);
        });

    [Function(nameof(DeleteConnection))]
    [ApiOperation("Connections", "Disconnect: delete the stored credentials and every cached item", Access.ApiKey,
        Description = "When it answers, no run can use the connection's items any more and a sync still running for it cannot bring it back.")]
    [ApiResponse(200, typeof(DisconnectedBody), "Disconnected")]
    [ApiError(404, ErrorCodes.NotFound, "no such connection in this account")]
    public Task<IActionResult> DeleteConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/vault/connections/{connectionId}")] HttpRequest req, string connectionId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            await connections.DeleteAsync(call.Account, connectionId, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new DisconnectedBody(true, connectionId), ApiJson.Default.DisconnectedBody);
        });
}
