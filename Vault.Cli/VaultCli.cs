using System.CommandLine;
using System.Reflection;
using System.Runtime.Serialization;
using Vault.Client;
using Vault.Client.Models;

namespace Vault.Cli;

/// <summary>The <c>vault</c> command line: one subcommand per API operation a person uses, on the C# SDK.</summary>
public static class VaultCli
{
    /// <summary>Parses and runs one command line; returns its exit code (see <see cref="ExitCodes"/>).</summary>
    public static async Task<int> RunAsync(string[] args, CliIo io, HttpClient? httpClient = null, CancellationToken cancellationToken = default)
    {
        var root = Build(io, httpClient);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                await io.Err.WriteLineAsync("usage error: " + error.Message);
            }

            await io.Err.WriteLineAsync("Run 'vault --help' for the commands and options.");
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = io.Out, Error = io.Err, EnableDefaultExceptionHandler = false }, cancellationToken);
    }

    private static RootCommand Build(CliIo io, HttpClient? httpClient)
    {
        var root = new RootCommand("Vault: connect password managers, read their cached login items, and hand credentials to agent runs.\n"
            + "Configuration: VAULT_URL (default " + VaultApi.DefaultUrl + ") and VAULT_API_KEY, or 'vault login'.");
        // One option tree per invocation: System.CommandLine's symbols keep their parents, so none is shared.
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer", Recursive = true };
        root.Options.Add(json);
        var commands = new Commands(io, httpClient);

        var login = new Command("login", "Save the service URL and an API key (read from stdin or prompted) in a file only you can read");
        var loginUrl = new Option<string>("--url") { Description = "Service URL (default: VAULT_URL or " + VaultApi.DefaultUrl + ")" };
        login.Options.Add(loginUrl);
        login.SetAction((r, ct) => commands.LoginAsync(r.GetValue(loginUrl), ct));

        var connect = new Command("connect", "Connect a password manager (secrets are read from stdin or prompted without echo)");
        var onePassword = new Command("1password", "Connect a 1Password service account (token from stdin or prompted)");
        onePassword.SetAction((r, ct) => commands.ConnectOnePasswordAsync(r.GetValue(json), ct));
        var bitwarden = new Command("bitwarden", "Connect a Bitwarden account by API key (client secret, then master password, from stdin or prompted)");
        var clientId = new Option<string>("--client-id") { Description = "The API key's client_id (user.…)", Required = true };
        var serverUrl = new Option<string>("--server-url") { Description = "A self-hosted server (https://…)" };
        var region = new Option<string>("--region") { Description = "Bitwarden cloud region" };
        region.AcceptOnlyFromAmong("us", "eu");
        var caFile = new Option<FileInfo>("--ca-file") { Description = "PEM file of the private CA of a self-hosted server" };
        bitwarden.Options.Add(clientId);
        bitwarden.Options.Add(serverUrl);
        bitwarden.Options.Add(region);
        bitwarden.Options.Add(caFile);
        bitwarden.SetAction((r, ct) => commands.ConnectBitwardenAsync(
            r.GetValue(clientId)!, r.GetValue(serverUrl), r.GetValue(region), r.GetValue(caFile), r.GetValue(json), ct));
        var keeper = new Command("keeper", "Connect Keeper Secrets Manager with a one-time access token or a device configuration (from stdin or prompted)");
        keeper.SetAction((r, ct) => commands.ConnectKeeperAsync(r.GetValue(json), ct));
        connect.Subcommands.Add(onePassword);
        connect.Subcommands.Add(keeper);
        connect.Subcommands.Add(bitwarden);

        var connections = new Command("connections", "List connections");
        connections.SetAction((r, ct) => commands.ConnectionsAsync(r.GetValue(json), ct));

        var disconnect = new Command("disconnect", "Disconnect: delete its stored credentials and every cached item");
        var connectionArgument = new Argument<string>("CONNECTION") { Description = "Connection id (conn-…)" };
        disconnect.Arguments.Add(connectionArgument);
        disconnect.SetAction((r, ct) => commands.DisconnectAsync(r.GetValue(connectionArgument)!, r.GetValue(json), ct));

        var items = new Command("items", "List cached items, grouped by vault");
        var domain = new Option<string>("--domain") { Description = "Only items for this site (a host or URL)" };
        var vault = new Option<string>("--vault") { Description = "Only items of this vault (its name)" };
        var connection = new Option<string>("--connection") { Description = "Only items of this connection" };
        items.Options.Add(domain);
        items.Options.Add(vault);
        items.Options.Add(connection);
        items.SetAction((r, ct) => commands.ItemsAsync(r.GetValue(domain), r.GetValue(vault), r.GetValue(connection), r.GetValue(json), ct));

        var sync = new Command("sync", "Re-read every connection (or one) from its password manager");
        var syncConnection = new Option<string>("--connection") { Description = "Only this connection" };
        sync.Options.Add(syncConnection);
        sync.SetAction((r, ct) => commands.SyncAsync(r.GetValue(syncConnection), r.GetValue(json), ct));

        var item = new Command("item", "Enable or disable an item (a disabled item is never granted to a run)");
        foreach (var (name, enabled) in new[] { ("enable", true), ("disable", false) })
        {
            var toggle = new Command(name, (enabled ? "Enable" : "Disable") + " an item");
            var itemArgument = new Argument<string>("ITEM") { Description = "Item id (cred:…)" };
            toggle.Arguments.Add(itemArgument);
            toggle.SetAction((r, ct) => commands.SetEnabledAsync(r.GetValue(itemArgument)!, enabled, r.GetValue(json), ct));
            item.Subcommands.Add(toggle);
        }

        var run = new Command("run", "Create runs and read their credentials");
        var runCreate = new Command("create", "Create a run; prints its run token once");
        var runUrl = new Option<string>("--url") { Description = "The page the run starts at", Required = true };
        var runItems = new Option<string[]>("--item") { Description = "Grant this item (repeatable)" };
        var useVault = new Option<bool>("--use-vault") { Description = "Grant every enabled item (the credential route then needs --domain)" };
        var goal = new Option<string>("--goal") { Description = "What the run is for" };
        runCreate.Options.Add(runUrl);
        runCreate.Options.Add(runItems);
        runCreate.Options.Add(useVault);
        runCreate.Options.Add(goal);
        runCreate.SetAction((r, ct) => commands.CreateRunAsync(
            r.GetValue(runUrl)!, r.GetValue(runItems) ?? [], r.GetValue(useVault), r.GetValue(goal), r.GetValue(json), ct));
        var runCredentials = new Command("credentials", "Read a run's credentials with its run token");
        var runArgument = new Argument<string>("RUN") { Description = "Run id (run-…)" };
        var token = new Option<FileInfo>("--token-file") { Description = "A file whose first line is the run token (else VAULT_RUN_TOKEN, stdin, or a prompt)" };
        var credentialDomain = new Option<string>("--domain") { Description = "Only credentials for this site" };
        runCredentials.Arguments.Add(runArgument);
        runCredentials.Options.Add(token);
        runCredentials.Options.Add(credentialDomain);
        runCredentials.SetAction((r, ct) => commands.RunCredentialsAsync(
            r.GetValue(runArgument)!, r.GetValue(token), r.GetValue(credentialDomain), r.GetValue(json), ct));
        var runRevoke = new Command("revoke", "Revoke a run: its token stops working at once");
        var revokeArgument = new Argument<string>("RUN") { Description = "Run id (run-…)" };
        runRevoke.Arguments.Add(revokeArgument);
        runRevoke.SetAction((r, ct) => commands.RevokeRunAsync(r.GetValue(revokeArgument)!, ct));
        var runAudit = new Command("audit", "A run's trail: every credential read, newest first");
        var auditArgument = new Argument<string>("RUN") { Description = "Run id (run-…)" };
        var auditLimit = new Option<int?>("--limit") { Description = "At most this many entries (default: all)" };
        runAudit.Arguments.Add(auditArgument);
        runAudit.Options.Add(auditLimit);
        runAudit.SetAction((r, ct) => commands.RunAuditAsync(r.GetValue(auditArgument)!, r.GetValue(auditLimit), r.GetValue(json), ct));
        var runCodes = new Command("codes", "A run's one-time codes (e-mail, SMS, pushed), read with its run token; --wait waits for one");
        var codesArgument = new Argument<string>("RUN") { Description = "Run id (run-…)" };
        var codesToken = new Option<FileInfo>("--token-file") { Description = "A file whose first line is the run token (else VAULT_RUN_TOKEN, stdin, or a prompt)" };
        var codesWait = new Option<int>("--wait") { Description = "Seconds to wait for a code when none is there yet (default 0)" };
        codesWait.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 3600)
            {
                result.AddError("--wait must be between 0 and 3600 seconds");
            }
        });
        var codesAfter = new Option<string>("--after") { Description = "Only codes after this cursor (printed by the last call)" };
        runCodes.Arguments.Add(codesArgument);
        runCodes.Options.Add(codesToken);
        runCodes.Options.Add(codesWait);
        runCodes.Options.Add(codesAfter);
        runCodes.SetAction((r, ct) => commands.RunCodesAsync(
            r.GetValue(codesArgument)!, r.GetValue(codesToken), r.GetValue(codesWait), r.GetValue(codesAfter), r.GetValue(json), ct));
        run.Aliases.Add("runs");
        run.Subcommands.Add(runCreate);
        run.Subcommands.Add(runCodes);
        run.Subcommands.Add(runCredentials);
        run.Subcommands.Add(runRevoke);
        run.Subcommands.Add(runAudit);

        var usage = new Command("usage", "Billable calls per day");
        var from = new Option<DateOnly?>("--from") { Description = "First day (YYYY-MM-DD)" };
        var to = new Option<DateOnly?>("--to") { Description = "Last day (YYYY-MM-DD)" };
        usage.Options.Add(from);
        usage.Options.Add(to);
        usage.SetAction((r, ct) => commands.UsageAsync(r.GetValue(from), r.GetValue(to), r.GetValue(json), ct));

        var mcp = new Command("mcp", "Serve the Model Context Protocol on stdio for one run (VAULT_RUN_ID, VAULT_RUN_TOKEN): "
            + "sign in on the pages of the agent's browser without the model seeing a secret");
        var cdp = new Option<string>("--cdp") { Description = "The browser's DevTools endpoint (http://host:port or ws://…), as Playwright's connectOverCDP takes it", Required = true };
        mcp.Options.Add(cdp);
        mcp.SetAction((r, ct) => Mcp.McpServerCommand.RunAsync(io, r.GetValue(cdp), httpClient, ct));

        foreach (var command in new[] { login, connect, connections, disconnect, items, sync, item, run, usage, mcp })
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>The wire name of a generated enum value (its EnumMember), e.g. <c>reconnect_required</c>.</summary>
    internal static string Wire<TEnum>(TEnum? value) where TEnum : struct, Enum =>
        value is null ? "-" : typeof(TEnum).GetField(value.Value.ToString())?.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? value.Value.ToString();
}
