using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Errors;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

public sealed class HealthFunctions(ApiGate gate)
{
    [Function(nameof(GetHealth))]
    [ApiOperation("Service", "Service health", Access.Public)]
    [ApiResponse(200, typeof(HealthBody), "Healthy")]
    public Task<IActionResult> GetHealth([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/health")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(ApiResult.Json(200, new HealthBody("ok"), ApiJson.Default.HealthBody)));

    [Function(nameof(GetOpenApiDocument))]
    [ApiOperation("Service", "This OpenAPI document", Access.Public)]
    [ApiResponse(200, typeof(System.Text.Json.Nodes.JsonObject), "The OpenAPI 3.1 document")]
    public Task<IActionResult> GetOpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/openapi.json")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(ApiResult.Raw(200, "application/json; charset=utf-8", OpenApiSpec.Utf8)));
}
