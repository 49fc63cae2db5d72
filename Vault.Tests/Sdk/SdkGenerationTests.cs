using System.Text.Json.Nodes;
using Vault.Functions.OpenApi;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Sdk;

/// <summary>The committed SDKs are what the generator makes from the document the service serves now.</summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class SdkGenerationTests
{
    [Fact]
    public async Task The_committed_sdks_are_generated_from_the_current_document()
    {
        var root = SdkTestKit.RepoRoot();
        var committed = Path.Combine(root, "sdk");
        var committedDocument = await File.ReadAllBytesAsync(Path.Combine(committed, "openapi.json"));
        Assert.True(OpenApiSpec.Utf8.SequenceEqual(committedDocument),
            "sdk/openapi.json differs from the served document: run scripts/generate-sdks.sh and commit sdk/");

        var temp = Directory.CreateTempSubdirectory("vault-sdk-gen-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(temp, "openapi.json"), OpenApiSpec.Utf8);
            var (code, output, error) = await SdkTestKit.RunAsync("bash",
                [Path.Combine(root, "scripts", "generate-sdks.sh"), "--document", Path.Combine(temp, "openapi.json"), "--out", temp], root);
            Assert.True(code == 0, output + error);
            foreach (var generated in new[] { Path.Combine("csharp", "Vault.Client", "Generated"), Path.Combine("typescript", "src", "generated") })
            {
                var expected = Files(Path.Combine(temp, generated));
                var actual = Files(Path.Combine(committed, generated));
                Assert.True(expected.Keys.Order().SequenceEqual(actual.Keys.Order()),
                    $"{generated}: files differ from the generator's ({string.Join(", ", expected.Keys.Except(actual.Keys).Concat(actual.Keys.Except(expected.Keys)))}); run scripts/generate-sdks.sh");
                var changed = expected.Where(f => f.Value != actual[f.Key]).Select(f => f.Key).ToList();
                Assert.True(changed.Count == 0, $"{generated}: {string.Join(", ", changed)} differ from the generator's output; run scripts/generate-sdks.sh");
            }
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    [Fact]
    public async Task The_python_sdk_has_a_method_for_every_operation()
    {
        var document = JsonNode.Parse(OpenApiSpec.Utf8)!;
        var operations = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(o => o.Value!["operationId"]?.GetValue<string>()))
            .ToList();
        Assert.All(operations, Assert.NotNull);
        var methods = operations.Select(o => System.Text.RegularExpressions.Regex.Replace(o!, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant()).ToList();

        var root = SdkTestKit.RepoRoot();
        var (code, output, error) = await SdkTestKit.RunAsync("python3",
        [
            "-c",
            "import sys, inspect; sys.path.insert(0, 'sdk/python'); from vault_client import VaultClient; "
            + "print('\\n'.join(n for n, f in inspect.getmembers(VaultClient, inspect.isfunction) if not n.startswith('_')))",
        ], root);
        Assert.True(code == 0, error);
        var defined = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        var missing = methods.Where(m => !defined.Contains(m)).ToList();
        Assert.True(missing.Count == 0, "sdk/python lacks: " + string.Join(", ", missing));
    }

    private static Dictionary<string, string> Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllText);
}
