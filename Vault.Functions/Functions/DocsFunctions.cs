using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Vault.Functions.Hosting;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>The HTML API reference: Redoc rendering <c>GET /v1/openapi.json</c>, from files served by this app only.</summary>
public sealed class DocsFunctions(ApiGate gate, DocsAssets assets)
{
    [Function(nameof(GetDocs))]
    [NotInApiDocument("The HTML reference of the document, not an operation of the JSON API.")]
    public Task<IActionResult> GetDocs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(assets.Serve(DocsAssets.IndexFile)));

    [Function(nameof(GetDocsAsset))]
    [NotInApiDocument("A script or style of the HTML reference.")]
    public Task<IActionResult> GetDocsAsset([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{file}")] HttpRequest req, string file) =>
        gate.HandleAsync(req, Access.Public, _ => Task.FromResult(assets.Serve(file)));
}
