using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Core.Errors;
using Vault.Functions.Dashboard;
using Vault.Functions.Http;

using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>
/// The dashboard: the page at <c>/</c> and its files under <c>/app/</c>, from the app's own embedded files. Ordinary HTTP
/// functions, so the Functions host (homepage off) and standalone mode serve them alike. The dashboard
/// takes no catch-all of its own: unknown API paths reach <see cref="NotFoundFunctions"/> and get the API's 404 body.
/// </summary>
public sealed class DashboardFunctions
{
    /// <summary>
    /// The site root as a route template: an optional, always-empty parameter. A literal "/" becomes "//" in the
    /// Functions worker's own endpoint table, which then fails every request of the app ("waiting for start call").
    /// </summary>
    public const string RootRoute = "{root:maxlength(0)?}";

    [Function(nameof(GetDashboard))]
    [NotInApiDocument("the dashboard's page, not part of the JSON API")]
    public Task<IActionResult> GetDashboard([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = RootRoute)] HttpRequest req) =>
        Task.FromResult<IActionResult>(new DashboardResult(DashboardAssets.Index));

    [Function(nameof(GetDashboardFile))]
    [NotInApiDocument("the dashboard's script, style and image files")]
    public Task<IActionResult> GetDashboardFile(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "app/{*file}")] HttpRequest req, string file) =>
        Task.FromResult(DashboardAssets.Find("app/" + file) is { } asset ? (IActionResult)new DashboardResult(asset) : NotFound(req));

    private static IActionResult NotFound(HttpRequest req)
    {
        DashboardResult.AddSecurityHeaders(req.HttpContext.Response);
        var call = new ApiCall(req, "req_" + Vault.Core.Common.Ids.RandomBase32(10), "GET /app/{*file}");
        return ApiGate.Error(call, ApiErrors.NotFound("file"));
    }
}
