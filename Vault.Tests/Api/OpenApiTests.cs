using System.Text.Json.Nodes;
using Vault.Functions.Http;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

public sealed class OpenApiTests : ApiTestBase
{
    [Fact]
    public async Task Document_describes_exactly_the_functions_routes_and_methods()
    {
        var doc = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/openapi.json", null), 200))!;
        var documented = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .Order(StringComparer.Ordinal).ToList();
        var actual = FunctionRoutes.Api.Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(actual, documented);
        Assert.Contains("POST /v1/vault/connections", actual);

        // Every $ref resolves.
        var schemas = doc["components"]!["schemas"]!.AsObject();
        foreach (var reference in Refs(doc))
        {
            Assert.True(schemas.ContainsKey(reference.Split('/').Last()), reference);
        }
    }

    private static IEnumerable<string> Refs(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : Refs(p.Value)),
        JsonArray a => a.SelectMany(Refs),
        _ => [],
    };
}
