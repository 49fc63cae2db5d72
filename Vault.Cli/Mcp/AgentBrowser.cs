using Microsoft.Playwright;

namespace Vault.Cli.Mcp;

/// <summary>
/// The agent's own browser, attached over CDP on first use and again after it went away. The page a tool acts on is
/// the one the agent is looking at: the visible tab, or the newest one when several are.
/// </summary>
internal sealed class AgentBrowser(string cdpEndpoint) : IAsyncDisposable
{
    private readonly SemaphoreSlim attaching = new(1, 1);
    private IPlaywright? playwright;
    private IBrowser? browser;

    public async Task<IPage> CurrentPageAsync(CancellationToken cancellationToken)
    {
        var attached = await AttachAsync(cancellationToken);
        var pages = attached.Contexts.SelectMany(c => c.Pages).Where(p => !p.IsClosed).ToList();
        if (pages.Count == 0)
        {
            throw new NoPageException();
        }

        var visible = new List<IPage>();
        foreach (var page in pages)
        {
            if (await IsVisibleAsync(page))
            {
                visible.Add(page);
            }
        }

        return (visible.Count > 0 ? visible : pages)[^1];
    }

    private static async Task<bool> IsVisibleAsync(IPage page)
    {
        try
        {
            return await page.EvaluateAsync<bool>("() => document.visibilityState === 'visible'");
        }
        catch (PlaywrightException)
        {
            return false; // navigating or crashed: not the one to act on
        }
    }

    private async Task<IBrowser> AttachAsync(CancellationToken cancellationToken)
    {
        if (browser is { IsConnected: true } current)
        {
            return current;
        }

        await attaching.WaitAsync(cancellationToken);
        try
        {
            if (browser is { IsConnected: true } raced)
            {
                return raced;
            }

            playwright ??= await Microsoft.Playwright.Playwright.CreateAsync();
            browser = await playwright.Chromium.ConnectOverCDPAsync(cdpEndpoint, new BrowserTypeConnectOverCDPOptions { Timeout = 15_000 });
            return browser;
        }
        finally
        {
            attaching.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Closing a browser attached over CDP only detaches: the agent's browser and its tabs stay open.
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
        attaching.Dispose();
    }
}
