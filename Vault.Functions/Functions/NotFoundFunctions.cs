using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Errors;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>
/// Any other path under <c>v1/</c>, with any method, is the contract's <c>404 NOT_FOUND</c> body. Without it the
/// Functions host would answer an unknown route with its own empty 404 (standalone mode has a fallback of its own).
/// Route precedence puts this catch-all after every declared route.
/// </summary>
public sealed class NotFoundFunctions(ApiGate gate)
{
    public const string Template = "v1/{*path}";

    [Function(nameof(UnknownApiRoute))]
    [NotInApiDocument("every path under /v1 that no operation declares: the contract's 404 NOT_FOUND")]
    public Task<IActionResult> UnknownApiRoute(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = Template)] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => throw ApiErrors.NotFound("route"));
}
