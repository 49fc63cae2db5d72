using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Connections;
using Vault.Functions.Http;

namespace Vault.Functions.Functions;

public sealed class ConnectionFunctions(ApiGate gate, ConnectionService connections)
{
    [Function(nameof(CreateConnection))]
    public Task<IActionResult> CreateConnection([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/vault/connections")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.ConnectRequest).ConfigureAwait(false);
            var result = await connections.ConnectAsync(call.Account, ApiMapping.ToInput(body), call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(result.Created ? 201 : 200, ApiMapping.ToConnectedBody(result.Connection, result.Items), ApiJson.Default.ConnectionBody);
        });

    [Function(nameof(ListConnections))]
    public Task<IActionResult> ListConnections([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/vault/connections")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var list = await connections.ListAsync(call.Account, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new ConnectionListBody(list.Select(c => ApiMapping.ToBody(c)).ToList()), ApiJson.Default.ConnectionListBody);
        });

    [Function(nameof(DeleteConnection))]
    public Task<IActionResult> DeleteConnection(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "v1/vault/connections/{connectionId}")] HttpRequest req, string connectionId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            await connections.DeleteAsync(call.Account, connectionId, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new DisconnectedBody(true, connectionId), ApiJson.Default.DisconnectedBody);
        });
}
