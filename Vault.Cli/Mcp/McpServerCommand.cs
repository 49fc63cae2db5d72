using System.Reflection;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Vault.Cli.Mcp;

/// <summary>
/// <c>vault mcp</c>: a Model Context Protocol server on stdio for one run. Standard output carries the protocol only;
/// problems go to standard error.
/// </summary>
internal static class McpServerCommand
{
    private const string Instructions =
        "Signs in to websites in the agent's browser with the credentials granted to this run, without showing them. "
        + "Call list_logins to see which logins fit a site, sign_in on a sign-in page to fill it (submit: true to send it), "
        + "and wait_for_code when a site sends a code by e-mail or SMS. No tool result contains a password or code.";

    public static async Task<int> RunAsync(CliIo io, string? cdpEndpoint, HttpClient? httpClient, CancellationToken cancellationToken)
    {
        var (settings, problem) = McpSettings.From(io, cdpEndpoint, httpClient);
        if (settings is null)
        {
            await io.Err.WriteLineAsync("error USAGE: " + problem);
            return ExitCodes.Usage;
        }

        await using var browser = new AgentBrowser(settings.CdpEndpoint);
        var codes = new CodeWatermark(settings.SignIn);
        await codes.StartAsync(cancellationToken);
        var tools = new VaultMcpTools(settings, browser, codes, io.Err);
        var options = new McpServerOptions
        {
            ServerInfo = new Implementation { Name = "vault", Title = "Vault sign-in", Version = Version() },
            ServerInstructions = Instructions,
            ToolCollection = [.. ToolsOf(tools)],
        };
        await using var transport = new StdioServerTransport(options);
        await using var server = McpServer.Create(transport, options);
        await server.RunAsync(cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>Every method of <paramref name="tools"/> marked as a tool, bound to that instance.</summary>
    private static IEnumerable<McpServerTool> ToolsOf(VaultMcpTools tools) =>
        typeof(VaultMcpTools).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null)
            .Select(m => McpServerTool.Create(m, tools));

    private static string Version() =>
        typeof(McpServerCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";
}
