using ModelContextProtocol.Client;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Mcp;

/// <summary>
/// <c>vault mcp</c> as an MCP client starts it: the CLI as its own process on stdio, attached with the official C# MCP
/// client. Its standard error is kept, to be searched for secrets.
/// </summary>
public sealed class VaultMcpProcess : IAsyncDisposable
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> errorLines = new();

    private VaultMcpProcess(McpClient client) => Client = client;

    public McpClient Client { get; private set; }

    /// <summary>
    /// The CLI as it is built and shipped (its own folder, with its runtime configuration and Playwright's driver), of
    /// the configuration these tests were built in.
    /// </summary>
    public static string CliPath { get; } = Path.Combine(RepoPaths.Root, "Vault.Cli", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "vault.dll");

    /// <summary>What the server wrote to standard error so far.</summary>
    public string ErrorOutput => string.Join('\n', errorLines);

    public static async Task<VaultMcpProcess> StartAsync(string cdpEndpoint, IDictionary<string, string?> environment)
    {
        var process = new VaultMcpProcess(null!);
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "vault",
            Command = "dotnet",
            Arguments = [CliPath, "mcp", "--cdp", cdpEndpoint],
            WorkingDirectory = Path.GetDirectoryName(CliPath),
            EnvironmentVariables = environment,
            StandardErrorLines = line => process.errorLines.Enqueue(line),
        });
        process.Client = await McpClient.CreateAsync(transport);
        return process;
    }

    public async ValueTask DisposeAsync() => await Client.DisposeAsync();
}
