using System.Text.Json;
using Vault.Tests.Infrastructure;
using Vault.Tests.Sdk;

namespace Vault.Tests.Mcp;

/// <summary><c>vault mcp</c> as an MCP client sees it before any browser is involved: its tools and its refusals to start.</summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class McpServerTests
{
    private static readonly Dictionary<string, string?> RunEnvironment = new()
    {
        ["VAULT_URL"] = "http://127.0.0.1:9", ["VAULT_RUN_ID"] = "run-test", ["VAULT_RUN_TOKEN"] = "rt_not-a-real-token",
    };

    [Fact]
    public async Task Lists_the_three_tools_with_their_arguments()
    {
        await using var server = await VaultMcpProcess.StartAsync("http://127.0.0.1:9", RunEnvironment);

        var tools = await server.Client.ListToolsAsync();

        Assert.Equal(["list_logins", "sign_in", "wait_for_code"], tools.Select(t => t.Name).Order());
        var signIn = tools.Single(t => t.Name == "sign_in");
        var properties = signIn.JsonSchema.GetProperty("properties");
        Assert.Equal(JsonValueKind.Object, properties.GetProperty("itemId").ValueKind);
        Assert.Equal(JsonValueKind.Object, properties.GetProperty("submit").ValueKind);
        Assert.False(signIn.JsonSchema.TryGetProperty("required", out var required) && required.GetArrayLength() > 0, "every sign_in argument is optional");
        Assert.Equal("vault", server.Client.ServerInfo?.Name);
        Assert.Contains("sign_in", server.Client.ServerInstructions ?? "");
    }

    [Fact]
    public async Task A_browser_that_is_not_there_is_a_tool_error_that_names_no_secret()
    {
        await using var server = await VaultMcpProcess.StartAsync("http://127.0.0.1:9", RunEnvironment);

        var result = await server.Client.CallToolAsync("sign_in", new Dictionary<string, object?>());

        Assert.True(result.IsError);
        var text = Assert.Single(result.Content.OfType<ModelContextProtocol.Protocol.TextContentBlock>()).Text;
        Assert.Equal("BROWSER_UNAVAILABLE", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("rt_not-a-real-token", text);
        Assert.DoesNotContain("rt_not-a-real-token", server.ErrorOutput);
    }

    [Theory]
    [InlineData(null, "rt_x", "http://127.0.0.1:9222", "VAULT_RUN_ID and VAULT_RUN_TOKEN")]
    [InlineData("run-a", "rt_x", "file:///etc/passwd", "--cdp")]
    [InlineData("run-a", "rt_x", "http://127.0.0.1:9222", "VAULT_URL must be https")]
    public async Task Refuses_to_start_without_what_it_needs_and_says_why_on_standard_error(string? runId, string token, string cdp, string expected)
    {
        var environment = new Dictionary<string, string>
        {
            ["VAULT_RUN_ID"] = runId ?? "", ["VAULT_RUN_TOKEN"] = token,
            ["VAULT_URL"] = expected.StartsWith("VAULT_URL", StringComparison.Ordinal) ? "http://vault.example.com" : "http://127.0.0.1:9",
        };
        var (code, stdout, stderr) = await SdkTestKit.RunAsync(
            "dotnet", [VaultMcpProcess.CliPath, "mcp", "--cdp", cdp], Path.GetTempPath(), environment, timeoutSeconds: 60);

        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Equal("", stdout); // stdout is the protocol's: nothing else is ever written there
        Assert.Contains(expected, stderr);
        Assert.DoesNotContain(token, stderr);
    }
}
