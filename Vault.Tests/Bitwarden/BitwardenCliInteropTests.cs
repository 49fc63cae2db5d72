using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Bitwarden;

/// <summary>
/// Independent truth: the official Bitwarden CLI (npm @bitwarden/cli, pinned in package-lock.json) logs in to the fake
/// server with an API key, unlocks and creates items there; the C# provider then decrypts what the official client
/// encrypted, and what it reads must equal what <c>bw list items</c> prints.
/// </summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class BitwardenCliInteropTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("bw-cli-").FullName;
    private FakeBitwardenServer _server = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBitwardenServer.StartAsync(https: true);
        _host = await VaultTestHost.StartAsync(useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public async Task The_provider_reads_exactly_what_the_official_cli_wrote()
    {
        var account = _server.AddAccount("cli.user@example.com", "official client master password", new KdfSettings(KdfType.Pbkdf2Sha256, 600_000, null, null));
        var bw = new BwCli(_home, _server, account);
        await bw.RunAsync("config", "server", _server.BaseUrl);
        await bw.RunAsync("login", "--apikey");
        var session = (await bw.RunAsync("unlock", "--passwordenv", "BW_PASSWORD", "--raw")).Trim();

        string[] items =
        [
            """{"type":1,"name":"CLI GitHub","notes":null,"favorite":false,"fields":[],"reprompt":0,"login":{"uris":[{"match":null,"uri":"https://github.com/login"},{"match":3,"uri":"https://github.com/settings"}],"username":"octo-cli","password":"cli-gh-pass-1","totp":"otpauth://totp/GitHub:octo?secret=JBSWY3DPEHPK3PXP"}}""",
            """{"type":1,"name":"Bücher Shop","notes":null,"favorite":false,"fields":[],"reprompt":0,"login":{"uris":[{"match":1,"uri":"bücher.example"},{"match":null,"uri":"androidapp://com.buecher"}],"username":"leser","password":"pässwörd €","totp":null}}""",
            """{"type":1,"name":"No website","notes":null,"favorite":false,"fields":[],"reprompt":0,"login":{"uris":[],"username":"x","password":"y","totp":null}}""",
        ];
        foreach (var item in items)
        {
            await bw.RunAsync("create", "item", Convert.ToBase64String(Encoding.UTF8.GetBytes(item)), "--session", session);
        }

        await bw.RunAsync("sync", "--session", session);
        Assert.All(account.Ciphers, c => Assert.NotNull(c["key"])); // the official client gave each item its own key
        var listed = JsonNode.Parse(await bw.RunAsync("list", "items", "--session", session))!.AsArray()
            .Where(i => i!["login"]!["uris"]!.AsArray().Count > 0)
            .ToDictionary(i => i!["name"]!.GetValue<string>());
        Assert.Equal(2, listed.Count);

        var (_, apiKey) = await _host.CreateAccountAsync();
        var body = new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = account.ClientId, ["clientSecret"] = account.ClientSecret,
            ["masterPassword"] = account.MasterPassword, ["serverUrl"] = _server.BaseUrl, ["serverCaCertificate"] = _server.CaPem,
        };
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 201))!;
        var ours = connection["items"]!.AsArray().ToDictionary(i => i!["label"]!.GetValue<string>());
        Assert.Equal(listed.Keys.Order(), ours.Keys.Order());

        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["credential_item_ids"] = new JsonArray(ours.Values.Select(i => (JsonNode)i!["itemId"]!.GetValue<string>()).ToArray()),
        }), 201))!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        var secrets = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["credentials"]!.AsArray()
            .ToDictionary(c => c!["label"]!.GetValue<string>());

        foreach (var (name, cli) in listed)
        {
            var login = cli!["login"]!;
            Assert.Equal(login["username"]?.GetValue<string>(), ours[name]!["username"]?.GetValue<string>());
            Assert.Equal(login["uris"]!.AsArray().Select(u => u!["uri"]!.GetValue<string>()), ours[name]!["urls"]!.AsArray().Select(u => u!.GetValue<string>()));
            Assert.Equal(login["password"]?.GetValue<string>(), secrets[name]!["password"]?.GetValue<string>());
            Assert.Equal(login["totp"]?.GetValue<string>() is not null, secrets[name]!["totp"] is not null);
        }

        Assert.Equal(["github.com"], ours["CLI GitHub"]!["domains"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.Equal(["xn--bcher-kva.example"], ours["Bücher Shop"]!["domains"]!.AsArray().Select(d => d!.GetValue<string>()));
    }

    /// <summary>Runs the pinned official CLI with its own data folder, trusting the fake's private CA.</summary>
    private sealed class BwCli(string home, FakeBitwardenServer server, FakeBitwardenAccount account)
    {
        private readonly string _script = Path.Combine(RepoPaths.Root, "node_modules", "@bitwarden", "cli", "build", "bw.js");

        public async Task<string> RunAsync(params string[] args)
        {
            Assert.True(File.Exists(_script), $"The official Bitwarden CLI is not installed ({_script}): run ./test, which installs it with npm ci.");
            var caFile = Path.Combine(home, "ca.pem");
            await File.WriteAllTextAsync(caFile, server.CaPem);
            var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(_script);
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["BITWARDENCLI_APPDATA_DIR"] = Path.Combine(home, "appdata");
            start.Environment["NODE_EXTRA_CA_CERTS"] = caFile;
            start.Environment["BW_NOINTERACTION"] = "true";
            start.Environment["BW_CLIENTID"] = account.ClientId;
            start.Environment["BW_CLIENTSECRET"] = account.ClientSecret;
            start.Environment["BW_PASSWORD"] = account.MasterPassword;
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"bw {args[0]} failed ({process.ExitCode}): {await stderr}");
            return await stdout;
        }
    }
}
