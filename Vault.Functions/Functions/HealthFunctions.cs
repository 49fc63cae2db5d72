using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

public sealed class HealthFunctions(ApiGate gate)
{
    [Function(nameof(Health))]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/health")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(ApiResult.Json(200, new HealthBody("ok"), ApiJson.Default.HealthBody)));

    [Function(nameof(OpenApiDocument))]
    public Task<IActionResult> OpenApiDocument([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/openapi.json")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(ApiResult.Raw(200, "application/json; charset=utf-8", OpenApiSpec.Utf8)));
}
