using System.ComponentModel;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Vault.Client.Playwright;

namespace Vault.Cli.Mcp;

/// <summary>
/// The tools an agent's model calls. Each fills or reads the page inside this process and answers with what the model
/// may see: labels, usernames, sites, which fields were filled, the page's address and title, a masked screenshot.
/// Never a password, a TOTP seed or code, or a one-time code: those go from the service into the page and nowhere else.
/// </summary>
internal sealed class VaultMcpTools(McpSettings settings, AgentBrowser browser, CodeWatermark codes, TextWriter log)
{
    [McpServerTool(Name = "list_logins", ReadOnly = true, Idempotent = true)]
    [Description("The logins this run may use for a site: item id, label, username and sites (no password). Without 'site', for the page the browser shows.")]
    public async Task<CallToolResult> ListLoginsAsync(
        [Description("A host or URL, e.g. github.com; default: the current page")] string? site = null,
        CancellationToken cancellationToken = default) => await GuardAsync(async () =>
    {
        site = string.IsNullOrWhiteSpace(site) ? (await browser.CurrentPageAsync(cancellationToken)).Url : site.Trim();
        var logins = await PageSignIn.ListLoginsAsync(settings.SignIn, site, cancellationToken);
        var list = new JsonArray();
        foreach (var login in logins)
        {
            list.Add(new JsonObject
            {
                ["itemId"] = login.ItemId,
                ["label"] = login.Label,
                ["username"] = login.Username,
                ["sites"] = new JsonArray(login.Sites.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            });
        }

        return Answer(new JsonObject { ["site"] = site, ["logins"] = list });
    });

    [McpServerTool(Name = "sign_in", Destructive = false)]
    [Description("Fills the sign-in form of the current page (username, password, and a TOTP or one-time-code step) with the run's login for that site, without revealing it. Answers which fields were filled.")]
    public async Task<CallToolResult> SignInAsync(
        [Description("The item to use (from list_logins) when several logins fit the site")] string? itemId = null,
        [Description("Submit the form after filling, and report whether the page left the sign-in form")] bool submit = false,
        [Description("Attach a screenshot of the page after the fill, with password and code fields masked")] bool screenshot = false,
        CancellationToken cancellationToken = default) => await GuardAsync(async () =>
    {
        var page = await browser.CurrentPageAsync(cancellationToken);
        var options = settings.SignIn with { ItemId = string.IsNullOrWhiteSpace(itemId) ? null : itemId.Trim(), Submit = submit };
        var result = await page.SignInAsync(options, cancellationToken);
        var answer = new JsonObject
        {
            ["itemId"] = result.ItemId,
            ["label"] = result.Label,
            ["filled"] = new JsonArray(result.Filled.Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
            ["leftSignInForm"] = result.LeftSignInForm,
            ["page"] = await PageJsonAsync(page),
        };
        return await AnswerAsync(answer, screenshot ? page : null);
    });

    [McpServerTool(Name = "wait_for_code")]
    [Description("Fills the run's next one-time code (e-mail, SMS or pushed) into the current page's code field, waiting for it if it has not come yet. A code that arrived after this server started, or after the last code it filled, counts. Answers whether it did; the code itself is not shown.")]
    public async Task<CallToolResult> WaitForCodeAsync(
        [Description("Seconds to wait for a code (1-300, default 30)")] int waitSeconds = 30,
        [Description("Attach a screenshot of the page after the fill, with password and code fields masked")] bool screenshot = false,
        CancellationToken cancellationToken = default) => await GuardAsync(async () =>
    {
        var page = await browser.CurrentPageAsync(cancellationToken);
        var after = await codes.PositionAsync(cancellationToken);
        var filled = await page.FillNextCodeAsync(settings.SignIn, TimeSpan.FromSeconds(Math.Clamp(waitSeconds, 1, 300)), after, cancellationToken);
        if (filled)
        {
            codes.Advance();
        }

        return await AnswerAsync(new JsonObject { ["filled"] = filled, ["page"] = await PageJsonAsync(page) }, screenshot ? page : null);
    });

    private static async Task<JsonObject> PageJsonAsync(IPage page) =>
        new() { ["url"] = page.Url, ["title"] = await page.TitleAsync() };

    private static async Task<CallToolResult> AnswerAsync(JsonObject answer, IPage? screenshotOf)
    {
        var result = Answer(answer);
        if (screenshotOf is not null)
        {
            result.Content.Add(ImageContentBlock.FromBytes(await screenshotOf.MaskedScreenshotAsync(), "image/png"));
        }

        return result;
    }

    private static CallToolResult Answer(JsonObject answer) =>
        new() { Content = [new TextContentBlock { Text = answer.ToJsonString() }] };

    private static CallToolResult Refusal(string code, string message)
    {
        var error = new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } };
        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = error.ToJsonString() }] };
    }

    /// <summary>
    /// Refusals keep their stable code. Anything else is reported by kind only: a browser or network exception's text
    /// can quote what a call was given, and a tool result is read by the model.
    /// </summary>
    private async Task<CallToolResult> GuardAsync(Func<Task<CallToolResult>> tool)
    {
        try
        {
            return await tool();
        }
        catch (SignInException refused)
        {
            return Refusal(refused.Code, refused.Message);
        }
        catch (NoPageException none)
        {
            return Refusal("NO_PAGE", none.Message);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception failure)
        {
            await log.WriteLineAsync($"vault mcp: a tool failed with {failure.GetType().Name}");
            var code = failure is PlaywrightException ? "BROWSER_UNAVAILABLE" : "FAILED";
            return Refusal(code, $"The tool could not complete ({failure.GetType().Name}); is the browser still running at --cdp?");
        }
    }
}
