using Vault.Client;
using Vault.Client.Playwright;

namespace Vault.Cli.Mcp;

/// <summary>
/// What <c>vault mcp</c> runs with: the run (VAULT_RUN_ID, VAULT_RUN_TOKEN, from the environment only so that no token
/// is on a command line <c>ps</c> shows), the service (VAULT_URL) and the agent's browser (<c>--cdp</c>).
/// </summary>
internal sealed record McpSettings(SignInOptions SignIn, string CdpEndpoint)
{
    /// <summary>The settings, or the one-line problem that stops the server before it speaks on stdout.</summary>
    public static (McpSettings? Settings, string? Problem) From(CliIo io, string? cdpEndpoint, HttpClient? httpClient)
    {
        var runId = io.Environment("VAULT_RUN_ID")?.Trim();
        var runToken = io.Environment("VAULT_RUN_TOKEN")?.Trim();
        if (string.IsNullOrEmpty(runId) || string.IsNullOrEmpty(runToken))
        {
            return (null, "VAULT_RUN_ID and VAULT_RUN_TOKEN must be set (the run's id and the token POST /v1/runs gave once)");
        }

        if (string.IsNullOrWhiteSpace(cdpEndpoint)
            || !Uri.TryCreate(cdpEndpoint, UriKind.Absolute, out var cdp)
            || cdp.Scheme is not ("http" or "https" or "ws" or "wss"))
        {
            return (null, "--cdp must be the browser's DevTools endpoint: http://host:port or ws://host:port/devtools/browser/…");
        }

        var url = io.Environment("VAULT_URL") is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : VaultApi.DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || !VaultApi.IsSafeBaseUrl(baseUrl))
        {
            return (null, "VAULT_URL must be https (plain http only on this machine): the run token must not cross a network in the clear");
        }

        var signIn = new SignInOptions { RunId = runId, RunToken = runToken, BaseUrl = baseUrl, HttpClient = httpClient };
        return (new McpSettings(signIn, cdpEndpoint), null);
    }
}
