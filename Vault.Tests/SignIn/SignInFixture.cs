using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Vault.Client.Playwright;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;
using Vault.Testing.SignIn;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.SignIn;

/// <summary>
/// What the sign-in tests share: the standalone host with the real Bitwarden provider against the fake Bitwarden
/// server, the test sites (https with a private CA, plain http) and Debian's Chromium, which reaches the sites' real-looking
/// host names through <c>--host-resolver-rules</c> and trusts exactly the sites' leaf certificate.
/// </summary>
public sealed class SignInFixture : IAsyncLifetime
{
    public const string Username = "alice@bank.test";
    public const string Password = "Tr0ub4dor&3-bank-secret";
    public const string TotpSeed = "otpauth://totp/Bank:alice?secret=JBSWY3DPEHPK3PXP";

    private static readonly KdfSettings Pbkdf2 = new(KdfType.Pbkdf2Sha256, 600_000, null, null);

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    private int _accounts;

    public VaultTestHost Host { get; private set; } = null!;
    public FakeBitwardenServer Bitwarden { get; private set; } = null!;
    public SignInTestSite Site { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The Chromium launch switches (also given to the TypeScript SDK's test).</summary>
    public IReadOnlyList<string> BrowserArgs => [.. ChromiumArgs, .. Site.ChromiumArgs];

    public async Task InitializeAsync()
    {
        Bitwarden = await FakeBitwardenServer.StartAsync();
        Site = await SignInTestSite.StartAsync(Username, Password, TotpSeed);
        Host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:Network:AttemptTimeout"] = "00:00:05",
            ["Vault:Network:TotalTimeout"] = "00:00:10",
            ["Vault:RateLimit:PerMinute"] = "100000",
        }, useScriptedProviders: false);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumExecutable.Path, Args = BrowserArgs });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Host.DisposeAsync();
        await Site.DisposeAsync();
        await Bitwarden.DisposeAsync();
    }

    public async Task<IPage> NewPageAsync(string url)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 800 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        return page;
    }

    /// <summary>
    /// A fresh account with a Bitwarden connection holding <paramref name="logins"/> (by default the bank's login with a
    /// TOTP seed, at the https site), and a run granted every item of it.
    /// </summary>
    public async Task<TestRun> RunAsync(params (string Label, string Username, string Password, string? Totp, (string Uri, int? Match)[] Uris)[] logins)
    {
        if (logins.Length == 0)
        {
            logins = [("Bank", Username, Password, TotpSeed, [(Site.Https("/"), null)])];
        }

        var name = $"signin{Interlocked.Increment(ref _accounts)}";
        var (_, apiKey) = await Host.CreateAccountAsync(name);
        var account = Bitwarden.AddAccount($"{name}@example.com", "correct horse battery staple", Pbkdf2);
        foreach (var login in logins)
        {
            account.AddLogin(login.Label, login.Username, login.Password, login.Totp, login.Uris);
        }

        var connection = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = account.ClientId, ["clientSecret"] = account.ClientSecret,
            ["masterPassword"] = account.MasterPassword, ["serverUrl"] = Bitwarden.BaseUrl,
        }), 201);
        var items = connection!["items"]!.AsArray().ToDictionary(i => i!["label"]!.GetValue<string>(), i => i!["itemId"]!.GetValue<string>());
        var run = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["url"] = Site.Https("/single"), ["credential_item_ids"] = new JsonArray(items.Values.Select(v => (JsonNode)v).ToArray()),
        }), 201);
        var options = new SignInOptions { RunId = run!["runId"]!.GetValue<string>(), RunToken = run["runToken"]!.GetValue<string>(), BaseUrl = Host.BaseAddress };
        return new TestRun(this, apiKey, options, items);
    }
}
