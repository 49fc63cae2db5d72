using System.Text.Json.Nodes;
using static Vault.Functions.OpenApi.OpenApiSpec;

namespace Vault.Functions.OpenApi;

/// <summary>The run routes of the document.</summary>
internal static class RunPaths
{
    public static IEnumerable<(string Path, JsonObject Item)> Build()
    {
        yield break;
    }
}
