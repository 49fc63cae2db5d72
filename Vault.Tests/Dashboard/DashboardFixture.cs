using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Dashboard;

/// <summary>
/// One browser (Debian's Chromium, launched by path: Playwright cannot download browsers here) and one standalone host
/// with the real providers against the fake Bitwarden (HTTPS, private CA) and 1Password servers, shared by a test class.
/// Each test uses its own account and browser context.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public static readonly KdfSettings Pbkdf2 = new(KdfType.Pbkdf2Sha256, 600_000, null, null);

    internal static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

    public VaultTestHost Host { get; private set; } = null!;
    public FakeBitwardenServer Bitwarden { get; private set; } = null!;
    public FakeOnePasswordServer OnePassword { get; private set; } = null!;
    public IPlaywright Playwright { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the tests save a screenshot of each view.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepoPaths.Root, "TestResults", "dashboard");

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        var bitwarden = FakeBitwardenServer.StartAsync(https: true);
        var onePassword = FakeOnePasswordServer.StartAsync();
        Bitwarden = await bitwarden;
        OnePassword = await onePassword;
        Host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:OnePassword:PrivateCaPem"] = OnePassword.Ca.CaPem,
            ["Vault:Network:AttemptTimeout"] = "00:00:05",
            ["Vault:Network:TotalTimeout"] = "00:00:10",
            ["Vault:RateLimit:PerMinute"] = "100000",
            ["Vault:Codes:EmailDomain"] = "codes.example.com",
        }, useScriptedProviders: false);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await Playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumExecutable.Path, Args = ChromiumArgs });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Playwright.Dispose();
        await Host.DisposeAsync();
        await OnePassword.DisposeAsync();
        await Bitwarden.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own sessionStorage and localStorage) on the host, with a watch for injected elements.</summary>
    public async Task<DashboardPage> OpenAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        return await DashboardPage.StartAsync(page);
    }

    /// <summary>A Bitwarden account on the fake server with a personal vault and an organization.</summary>
    public FakeBitwardenAccount BitwardenAccount(string email = "alice@example.com")
    {
        var account = Bitwarden.AddAccount(email, "correct horse battery staple", Pbkdf2);
        var org = account.AddOrganization("Acme Corp");
        account.AddLogin("GitHub", "alice", "gh-secret-pw", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP", [("https://github.com/login", null)]);
        account.AddLogin("GitHub (work)", "alice-work", "gh-work-pw", null, [("https://github.com", null)]);
        account.AddLogin("Shop", "alice@example.com", "shop-pw", null, [("https://shop.example.org", null)]);
        account.AddLogin("Acme Admin", "admin", "acme-pw", null, [("https://admin.acme.test", null)], organizationId: org);
        return account;
    }
}

/// <summary>A page of the dashboard and the checks every view gets: accessibility, screenshots, nothing injected.</summary>
public sealed class DashboardPage : IAsyncDisposable
{
    // Runs before the page's own code (through the DevTools protocol, not subject to the page's CSP): records every
    // element added inside the app's views that could run code or load something, every CSP violation and every dialog.
    private const string Watch = """
        window.__injected = []; window.__csp = [];
        document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
        new MutationObserver(records => {
          for (const r of records) for (const n of r.addedNodes) {
            if (n.nodeType !== 1 || !n.closest('main, dialog')) continue;
            for (const el of [n, ...n.querySelectorAll('*')]) {
              if (['IMG', 'SCRIPT', 'IFRAME', 'OBJECT', 'EMBED'].includes(el.tagName) || [...el.attributes].some(a => a.name.startsWith('on')))
                window.__injected.push(el.tagName);
            }
          }
        }).observe(document, { childList: true, subtree: true });
        """;

    private DashboardPage(IPage page) => Page = page;

    public IPage Page { get; }
    public List<string> Dialogs { get; } = [];

    public static async Task<DashboardPage> StartAsync(IPage page)
    {
        var dashboard = new DashboardPage(page);
        page.Dialog += async (_, dialog) =>
        {
            dashboard.Dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        await page.AddInitScriptAsync(Watch);
        return dashboard;
    }

    public ILocator Button(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });
    public ILocator Field(string label) => Page.GetByLabel(label, new() { Exact = true });
    public ILocator Heading(string name) => Page.GetByRole(AriaRole.Heading, new() { Name = name, Exact = true });
    public ILocator Dialog => Page.GetByRole(AriaRole.Dialog);

    public async Task SignInAsync(string apiKey)
    {
        await Page.GotoAsync("/");
        await Field("API key").FillAsync(apiKey);
        await Button("Sign in").ClickAsync();
        await Assertions.Expect(Heading("Settings › Vault")).ToBeVisibleAsync();
    }

    /// <summary>axe-core on the current view: no serious or critical violation.</summary>
    public async Task AssertAccessibleAsync(string view)
    {
        var result = await Page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        Assert.True(bad.Count == 0, $"axe on {view}:\n" + string.Join("\n", bad));
    }

    public Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, name + ".png"), FullPage = true });

    /// <summary>Nothing from a vault became markup: no element that runs code was added, no dialog opened, no CSP violation.</summary>
    public async Task AssertNothingInjectedAsync()
    {
        Assert.Empty(await Page.EvaluateAsync<string[]>("() => window.__injected"));
        Assert.Empty(await Page.EvaluateAsync<string[]>("() => window.__csp"));
        Assert.Empty(Dialogs);
    }

    public async ValueTask DisposeAsync() => await Page.Context.CloseAsync();
}
