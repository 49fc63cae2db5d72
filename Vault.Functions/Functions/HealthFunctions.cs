using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

public sealed class HealthFunctions(ApiGate gate)
{
    [Function(nameof(GetHealth))]
    public Task<IActionResult> GetHealth([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/health")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(ApiResult.Json(200, new HealthBody("ok"), ApiJson.Default.HealthBody)));

    [Function(nameof(GetOpenApiDocument))]
    public Task<IActionResult> GetOpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/openapi.json")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(ApiResult.Raw(200, "application/json; charset=utf-8", OpenApiSpec.Utf8)));
}
