using System.Text.Json.Nodes;
using Vault.Cli;
using Vault.Core.Errors;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Sdk;

/// <summary>Every `vault` command end to end against the standalone host (the CLI's entry in process, stdin/stdout redirected).</summary>
[Trait(TestKind.Trait, TestKind.Http)]
[Collection(SdkTestKit.Collection)]
public sealed class CliTests : IAsyncLifetime
{
    private readonly SdkTestKit _kit = new();
    private readonly string _configHome = Directory.CreateTempSubdirectory("vault-cli-").FullName;
    private string _apiKey = "";

    public async Task InitializeAsync()
    {
        await _kit.InitializeAsync();
        (_, _apiKey) = await _kit.Host.CreateAccountAsync("cli");
    }

    public async Task DisposeAsync()
    {
        await _kit.DisposeAsync();
        Directory.Delete(_configHome, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> Vault(string stdin, params string[] args) => await Vault(stdin, useEnvironmentKey: true, args);

    private async Task<(int Code, string Out, string Err)> Vault(string stdin, bool useEnvironmentKey, params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = _configHome, ["VAULT_URL"] = _kit.Url };
        if (useEnvironmentKey)
        {
            environment["VAULT_API_KEY"] = _apiKey;
        }

        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin), output, error, interactive: false, name => environment.GetValueOrDefault(name));
        var code = await VaultCli.RunAsync(args, io);
        return (code, output.ToString(), error.ToString());
    }

    private async Task<string> ConnectAsync(Testing.Bitwarden.FakeBitwardenAccount account)
    {
        var (code, output, error) = await Vault($"{account.ClientSecret}\n{account.MasterPassword}\n",
            "connect", "bitwarden", "--client-id", account.ClientId, "--server-url", _kit.Server.BaseUrl, "--json");
        Assert.True(code == 0, error);
        return JsonNode.Parse(output)!["connectionId"]!.GetValue<string>();
    }

    [Fact]
    public async Task Every_command_works_end_to_end_and_says_what_happened()
    {
        // No connection yet: items is 404 NO_CONNECTIONS, exit 4.
        var none = await Vault("", "items");
        Assert.Equal(ExitCodes.NotFound, none.Code);
        Assert.Contains($"error {ErrorCodes.NoConnections}:", none.Err);

        var account = _kit.Account("cli-alice@example.com");
        var connect = await Vault($"{account.ClientSecret}\n{account.MasterPassword}\n",
            "connect", "bitwarden", "--client-id", account.ClientId, "--server-url", _kit.Server.BaseUrl);
        Assert.True(connect.Code == 0, connect.Err);
        Assert.Matches(@"^Connected conn-\S+ \(bitwarden, cli-alice@example.com\): 2 items in My Vault", connect.Out);
        var connectionId = connect.Out.Split(' ')[1];

        var connections = await Vault("", "connections");
        Assert.Equal(0, connections.Code);
        Assert.Matches($@"(?m)^{connectionId}\s+bitwarden\s+active\s+cli-alice@example.com\s+2\s", connections.Out);
        var connectionsJson = JsonNode.Parse((await Vault("", "connections", "--json")).Out)!;
        Assert.Equal(connectionId, connectionsJson["connections"]![0]!["connectionId"]!.GetValue<string>());

        var items = await Vault("", "items", "--domain", "github.com");
        Assert.Equal(0, items.Code);
        Assert.StartsWith("My Vault (1 items)", items.Out);
        Assert.Matches(@"(?m)^\s+cred:\S+\s+GitHub\s+alice\s+github.com\s+yes\s+yes$", items.Out);
        Assert.DoesNotContain("Shop", items.Out);
        var itemsJson = JsonNode.Parse((await Vault("", "items", "--vault", "My Vault", "--connection", connectionId, "--json")).Out)!;
        Assert.Equal(["GitHub", "Shop"], itemsJson["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>()));
        var github = itemsJson["items"]![0]!["itemId"]!.GetValue<string>();

        var sync = await Vault("", "sync", "--connection", connectionId);
        Assert.Equal(0, sync.Code);
        Assert.Contains("Syncing " + connectionId, sync.Err);
        Assert.Contains("Synced: 0 added, 0 updated, 0 removed, 0 disabled kept; 2 items in the cache", sync.Out);
        Assert.Equal(0, JsonNode.Parse((await Vault("", "sync", "--json")).Out)!["sync_summary"]!["added"]!.GetValue<int>());

        var disable = await Vault("", "item", "disable", github);
        Assert.Equal((0, $"Disabled {github} (GitHub)"), (disable.Code, disable.Out.Trim()));
        var refused = await Vault("", "run", "create", "--url", "https://github.com/login", "--item", github);
        Assert.Equal(ExitCodes.Refused, refused.Code);
        Assert.Contains($"error {ErrorCodes.UnknownCredentialItem}:", refused.Err);
        Assert.True(JsonNode.Parse((await Vault("", "item", "enable", github, "--json")).Out)!["enabled"]!.GetValue<bool>());

        var run = await Vault("", "run", "create", "--url", "https://github.com/login", "--item", github);
        Assert.True(run.Code == 0, run.Err);
        var runId = System.Text.RegularExpressions.Regex.Match(run.Out, @"Run (run-\S+) created").Groups[1].Value;
        var token = System.Text.RegularExpressions.Regex.Match(run.Out, @"Run token \(shown once, keep it\): (\S+)").Groups[1].Value;
        Assert.NotEmpty(token);
        Assert.Contains(github, run.Out);

        var tokenFile = Path.Combine(_configHome, "run-token");
        await File.WriteAllTextAsync(tokenFile, token + "\n");
        var credentials = await Vault("", "run", "credentials", runId, "--token-file", tokenFile, "--domain", "github.com");
        Assert.Equal(0, credentials.Code);
        Assert.Matches(@"(?m)^cred:\S+\s+GitHub\s+alice\s+gh-secret-pw\s+[0-9]{6}$", credentials.Out);
        var fromStdin = JsonNode.Parse((await Vault(token + "\n", "run", "credentials", runId, "--json")).Out)!;
        Assert.Equal("gh-secret-pw", fromStdin["credentials"]![0]!["password"]!.GetValue<string>());
        var wrongToken = await Vault("wrong\n", "run", "credentials", runId);
        Assert.Equal(ExitCodes.Unauthorized, wrongToken.Code);
        Assert.Contains($"error {ErrorCodes.Unauthorized}:", wrongToken.Err);

        // The trail shows the two reads (github.com, then without a domain); revoke stops the token.
        var audit = await Vault("", "run", "audit", runId);
        Assert.True(audit.Code == 0, audit.Err);
        Assert.Matches(@"(?m)^\S+ \S+\s+-\s+cred:", audit.Out.Split('\n')[1]);
        Assert.Equal(2, JsonNode.Parse((await Vault("", "run", "audit", runId, "--json")).Out)!["entries"]!.AsArray().Count);

        // `vault runs codes RUN --wait 30` waits; a code pushed meanwhile ends the wait with it.
        var codesWaiting = Vault("", "runs", "codes", runId, "--token-file", tokenFile, "--wait", "30");
        await Task.Delay(300);
        await HttpAssert.Status(await _kit.Host.SendAsync(HttpMethod.Post, $"/v1/runs/{runId}/codes", _apiKey,
            new JsonObject { ["text"] = "Your GitHub sign-in code is 482913.", ["from"] = "noreply@github.com" }), 201);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var codes = await codesWaiting;
        Assert.True(codes.Code == 0, codes.Err);
        Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"the wait ended {waited.Elapsed} after the push");
        Assert.Matches(@"(?m)^\S+ \S+\s+push\s+noreply@github\.com\s+482913\s+-$", codes.Out);
        var cursor = System.Text.RegularExpressions.Regex.Match(codes.Out, @"Cursor \(for --after\): (\S+)").Groups[1].Value;
        var noneNew = await Vault("", "runs", "codes", runId, "--token-file", tokenFile, "--after", cursor, "--wait", "1");
        Assert.Equal(0, noneNew.Code);
        Assert.Contains("No codes arrived", noneNew.Out);
        Assert.Equal("482913", JsonNode.Parse((await Vault(token + "\n", "run", "codes", runId, "--json")).Out)!["codes"]![0]!["code"]!.GetValue<string>());
        Assert.Equal(ExitCodes.Unauthorized, (await Vault("wrong\n", "runs", "codes", runId)).Code);
        Assert.Equal(ExitCodes.Usage, (await Vault("", "runs", "codes", runId, "--wait", "-1")).Code);

        var revoke = await Vault("", "run", "revoke", runId);
        Assert.True(revoke.Code == 0, revoke.Err);
        Assert.Contains("revoked", revoke.Out);
        var afterRevoke = await Vault(token + "\n", "run", "credentials", runId);
        Assert.Equal(ExitCodes.Unauthorized, afterRevoke.Code);

        var today = DateTime.UtcNow.ToString("yyyy-MM-dd");
        var usage = await Vault("", "usage", "--from", today, "--to", today);
        Assert.Equal(0, usage.Code);
        Assert.Matches($@"(?m)^{today}\s+\d+\s+█+$", usage.Out);
        Assert.Equal(today, JsonNode.Parse((await Vault("", "usage", "--json")).Out)!["days"]!.AsArray().Last()!["date"]!.GetValue<string>());

        var disconnect = await Vault("", "disconnect", connectionId, "--json");
        Assert.Equal(0, disconnect.Code);
        Assert.True(JsonNode.Parse(disconnect.Out)!["disconnected"]!.GetValue<bool>());
        var again = await Vault("", "disconnect", connectionId);
        Assert.Equal((ExitCodes.NotFound, true), (again.Code, again.Err.Contains($"error {ErrorCodes.NotFound}:")));
        Assert.Contains("No connections.", (await Vault("", "connections")).Out);

        // Secrets went in through stdin only and come back out nowhere but the credential command.
        var logs = _kit.Host.Logs.All;
        Assert.DoesNotContain(account.MasterPassword, logs);
        Assert.DoesNotContain(account.ClientSecret, logs);
    }

    [Fact]
    public async Task Exit_codes_say_what_went_wrong_and_no_secret_is_printed()
    {
        // 409: a third connection.
        await ConnectAsync(_kit.Account("cli-one@example.com"));
        await ConnectAsync(_kit.Account("cli-two@example.com"));
        var third = _kit.Account("cli-three@example.com");
        var conflict = await Vault($"{third.ClientSecret}\n{third.MasterPassword}\n", "connect", "bitwarden", "--client-id", third.ClientId, "--server-url", _kit.Server.BaseUrl);
        Assert.Equal(ExitCodes.Conflict, conflict.Code);
        Assert.Contains($"error {ErrorCodes.MaxConnections}:", conflict.Err);
        Assert.DoesNotContain(third.ClientSecret, conflict.Out + conflict.Err);
        Assert.DoesNotContain(third.MasterPassword, conflict.Out + conflict.Err);

        // 1: a refused 4xx (the provider rejects the password), and the 1Password token read from stdin.
        var wrong = await Vault($"{third.ClientSecret}\nnot the password\n", "connect", "bitwarden", "--client-id", "user." + Guid.NewGuid(), "--server-url", _kit.Server.BaseUrl);
        Assert.True(wrong.Code is ExitCodes.Refused or ExitCodes.Conflict, wrong.Err);
        var badToken = await Vault("ops_not-a-real-token\n", "connect", "1password");
        Assert.Equal(ExitCodes.Refused, badToken.Code);
        Assert.DoesNotContain("ops_not-a-real-token", badToken.Out + badToken.Err);

        // 3: no key / a wrong key.
        Assert.Equal(ExitCodes.Unauthorized, (await Vault("", useEnvironmentKey: false, "connections")).Code);
        // 2: usage errors, and no secret is accepted on the command line.
        Assert.Equal(ExitCodes.Usage, (await Vault("", "items", "--nope")).Code);
        Assert.Equal(ExitCodes.Usage, (await Vault("", "connect", "bitwarden")).Code);
        Assert.Equal(ExitCodes.Usage, (await Vault("", "connect", "bitwarden", "--client-id", "user.x", "--client-secret", "s")).Code);
        Assert.Equal(ExitCodes.Usage, (await Vault("", "connect", "1password")).Code); // empty stdin: no token
        // 4: unknown item.
        Assert.Equal(ExitCodes.NotFound, (await Vault("", "item", "enable", "cred:conn-x:v:i")).Code);
    }

    [Fact]
    public async Task Login_keeps_the_key_in_a_file_only_its_user_can_read_and_a_wrong_key_is_not_saved()
    {
        var wrong = await Vault("not-a-key\n", useEnvironmentKey: false, "login");
        Assert.Equal(ExitCodes.Unauthorized, wrong.Code);
        var file = Path.Combine(_configHome, "vault", "config.json");
        Assert.False(File.Exists(file));

        var login = await Vault(_apiKey + "\n", useEnvironmentKey: false, "login", "--url", _kit.Url);
        Assert.True(login.Code == 0, login.Err);
        Assert.DoesNotContain(_apiKey, login.Out + login.Err);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Contains(_apiKey, await File.ReadAllTextAsync(file));

        // Later commands use the saved key and URL (no VAULT_API_KEY).
        var connections = await Vault("", useEnvironmentKey: false, "connections", "--json");
        Assert.Equal(0, connections.Code);
        Assert.Empty(JsonNode.Parse(connections.Out)!["connections"]!.AsArray());
    }

    [Fact]
    public async Task An_unreachable_service_is_exit_6()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nothing listens on
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(""), output, error, false, name => name == "VAULT_URL" ? $"http://127.0.0.1:{port}" : name == "XDG_CONFIG_HOME" ? _configHome : null);
        Assert.Equal(ExitCodes.Unavailable, await VaultCli.RunAsync(["connections"], io));
        Assert.Contains("error UNREACHABLE:", error.ToString());
    }
}
