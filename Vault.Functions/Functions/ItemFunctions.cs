using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;
using Vault.Core.Connections.Sync;

namespace Vault.Functions.Functions;

public sealed class ItemFunctions(ApiGate gate, ItemService items, SyncService sync)
{
    [Function(nameof(ListItems))]
    [ApiOperation("Items", "List cached items", Access.ApiKey,
        Description = "Reads the cache only (never calls a provider), ordered by vaultName, label, then itemId (case-insensitive).")]
    [ApiQuery("domain", "A host or URL: items with a website URL of the same registrable domain (Public Suffix List).")]
    [ApiQuery("connectionId", "Only items of this connection.")]
    [ApiQuery("vault", "Only items of the vault with this name.")]
    [ApiQuery("enabled", "Only enabled (true) or disabled (false) items.", Type = QueryType.Boolean)]
    [ApiQuery("limit", "Items per page.", Type = QueryType.Integer, Minimum = 1, Maximum = ItemService.MaxLimit, Default = ItemService.DefaultLimit)]
    [ApiQuery("pageToken", "The nextPageToken of the previous page.")]
    [ApiResponse(200, typeof(ItemListBody), "A page of items")]
    [ApiError(404, ErrorCodes.NoConnections, "the account has no connection at all")]
    public Task<IActionResult> ListItems([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/vault/items")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var query = new ItemQuery(
                Domain: Query.Site(req, "domain")?.RegistrableDomain,
                ConnectionId: Query.Optional(req, "connectionId"),
                Vault: Query.Optional(req, "vault"),
                Enabled: Query.OptionalBool(req, "enabled"),
                Limit: Query.OptionalInt(req, "limit", 1, ItemService.MaxLimit) ?? ItemService.DefaultLimit,
                PageToken: Query.Optional(req, "pageToken"));
            var page = await items.ListAsync(call.Account, query, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, new ItemListBody(page.Items.Select(ApiMapping.ToBody).ToList(), page.NextPageToken), ApiJson.Default.ItemListBody);
        });

    [Function(nameof(UpdateItem))]
    [ApiOperation("Items", "Enable or disable an item", Access.ApiKey, RequestBody = typeof(PatchItemRequest),
        Description = "A disabled item stays disabled across syncs and is never granted to a run.")]
    [ApiResponse(200, typeof(ItemBody), "The item")]
    [ApiError(404, ErrorCodes.NotFound, "no such item in this account")]
    public Task<IActionResult> UpdateItem(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "v1/vault/items/{itemId}")] HttpRequest req, string itemId) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.PatchItemRequest).ConfigureAwait(false);
            var enabled = body.Enabled ?? throw new InvalidRequestException("enabled", "is required (true or false).", InputProblemKind.Required);
            var item = await items.SetEnabledAsync(call.Account, itemId, enabled, call.Aborted).ConfigureAwait(false);
            return ApiResult.Json(200, ApiMapping.ToBody(item), ApiJson.Default.ItemBody);
        });

    [Function(nameof(SyncItems))]
    [ApiOperation("Items", "Re-read every connection (or one) from its provider", Access.ApiKey, RequestBody = typeof(SyncRequest),
        RequestBodyRequired = false,
        Description = "Answers 200 when at least one connection synced; `connections` says how each fared. A failed sync never deletes cached items.")]
    [ApiResponse(200, typeof(SyncResultBody), "At least one connection synced")]
    [ApiError(400, ErrorCodes.UnsupportedVaultEncryption, "no connection synced, and those that failed use an encryption format not readable yet")]
    [ApiError(400, ErrorCodes.VaultTooLarge, "no connection synced, and those that failed answered over one of the service's limits")]
    [ApiError(401, ErrorCodes.Unauthorized, "no connection synced: every one needs a reconnect")]
    [ApiError(404, ErrorCodes.NoConnections, "the account has no connection")]
    [ApiError(404, ErrorCodes.NotFound, "no such connection (connectionId)")]
    [ApiError(503, ErrorCodes.VaultUnavailable, "no connection synced and a provider failed (a retry may succeed)")]
    public Task<IActionResult> SyncItems([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/vault/items/sync")] HttpRequest req) =>
        gate.HandleAsync(req, Access.ApiKey, async call =>
        {
            var body = await RequestBody.ReadAsync(req, ApiJson.Default.SyncRequest, allowEmpty: true).ConfigureAwait(false);
            var result = await sync.SyncAccountAsync(call.Account, body.ConnectionId, call.Aborted).ConfigureAwait(false);
            var response = new SyncResultBody
            {
                Items = result.Items.Select(ApiMapping.ToBody).ToList(),
                SyncSummary = new SyncSummaryBody(result.Summary.Added, result.Summary.Updated, result.Summary.Removed, result.Summary.SkippedDisabled),
                Connections = result.Outcomes.Select(o => new SyncConnectionBody(
                    o.Connection.ConnectionId, o.Connection.Status, o.Connection.ItemCount, ApiMapping.ToBody(o.Error))).ToList(),
            };
            return ApiResult.Json(200, response, ApiJson.Default.SyncResultBody);
        });
}
