using Microsoft.Playwright;
using Vault.Testing.Keeper;
using Vault.Tests.Dashboard;
using Vault.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Vault.Tests.Keeper;

/// <summary>Keeper in the dashboard's connect form: the token field with its help text, checked before sending, then connected.</summary>
[Trait(TestKind.Trait, TestKind.Browser)]
public sealed class KeeperDashboardTests : IAsyncLifetime
{
    private FakeKeeperServer _server = null!;
    private KeeperStandardData _data = null!;
    private VaultTestHost _host = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(30_000);
        (_server, _data, _host) = await KeeperHost.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumExecutable.Path, Args = DashboardFixture.ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_keeper_through_the_form()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = _host.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        await using var dashboard = await DashboardPage.StartAsync(await context.NewPageAsync());
        var page = dashboard.Page;
        await dashboard.SignInAsync(apiKey);
        await dashboard.Button("Connect a password manager").ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Keeper", Exact = true }).CheckAsync();
        await Expect(dashboard.Dialog).ToContainTextAsync("binds once");
        await dashboard.Field("One-Time Access Token").FillAsync("not a token");
        await dashboard.Button("Connect").ClickAsync();
        await Expect(dashboard.Dialog.GetByRole(AriaRole.Alert)).ToContainTextAsync("US:");
        Assert.Empty(_server.Requests);
        await dashboard.AssertAccessibleAsync("connect form (Keeper)");

        await dashboard.Field("One-Time Access Token").FillAsync(_server.MintToken(_data.Application));
        await dashboard.Button("Connect").ClickAsync();
        await Expect(dashboard.Dialog).ToHaveCountAsync(0);
        var card = page.GetByRole(AriaRole.Article).Filter(new() { HasText = "Agents fleet" });
        await Expect(card).ToContainTextAsync("Keeper");
        await Expect(page.GetByRole(AriaRole.Rowheader).Filter(new() { HasText = "GitHub" })).ToContainTextAsync("Keeper");
        Directory.CreateDirectory(DashboardFixture.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "keeper-connected.png"), FullPage = true });
    }
}
