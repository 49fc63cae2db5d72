using System.Text.Json.Nodes;
using Vault.Functions.Http;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

/// <summary>The route table standalone mode serves is the one the Functions host indexes (the SDK's functions.metadata).</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class FunctionMetadataTests
{
    [Fact]
    public void Standalone_routes_equal_the_functions_host_metadata()
    {
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(RepoPaths.Root, "Vault.Functions", "bin", configuration, "net10.0", "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is produced by building Vault.Functions");
        var functions = JsonNode.Parse(File.ReadAllText(path))!.AsArray();

        var http = functions.SelectMany(f => f!["bindings"]!.AsArray()
                .Where(b => b!["type"]!.GetValue<string>() == "httpTrigger")
                .SelectMany(b => b!["methods"]!.AsArray().Select(m => $"{m!.GetValue<string>().ToUpperInvariant()} /{b["route"]!.GetValue<string>().TrimStart('/')}")))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(FunctionRoutes.All.Select(r => r.Key).Order(StringComparer.Ordinal), http);

        var triggers = functions.SelectMany(f => f!["bindings"]!.AsArray().Select(b => b!["type"]!.GetValue<string>())).ToList();
        Assert.Contains("timerTrigger", triggers);
        Assert.Contains("queueTrigger", triggers);
    }
}
