using System.Text.Json;
using Microsoft.Playwright;
using ModelContextProtocol.Protocol;
using Vault.Tests.Infrastructure;
using Vault.Tests.SignIn;

namespace Vault.Tests.Mcp;

/// <summary>
/// <c>vault mcp</c> end to end, as an agent platform runs it: its own Chromium with a DevTools port on the https test
/// sites, the CLI started by the official C# MCP client, the standalone host with a Bitwarden connection. The page is
/// filled, the model's side (every tool result, the server's standard error, the service's logs) never sees a secret,
/// and every fill's read is in the run's audit log.
/// </summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(SignInCollection.Name)]
public sealed class McpSignInTests(SignInFixture fixture)
{
    [Fact]
    public async Task Lists_logins_and_signs_in_on_the_current_page_without_a_secret_in_any_result()
    {
        var run = await fixture.RunAsync();
        await using var agent = await AgentAsync(run, fixture.Site.Https("/totp"));

        var logins = await CallAsync(agent.Server, "list_logins");
        var signIn = await agent.Server.Client.CallToolAsync("sign_in", new Dictionary<string, object?> { ["submit"] = true, ["screenshot"] = true });

        var login = Assert.Single(logins.RootElement.GetProperty("logins").EnumerateArray());
        Assert.Equal(run.Items["Bank"], login.GetProperty("itemId").GetString());
        Assert.Equal(SignInFixture.Username, login.GetProperty("username").GetString());
        Assert.True(signIn.IsError is null or false, Text(signIn));
        var answer = JsonDocument.Parse(Text(signIn)).RootElement;
        Assert.Equal(["username", "password", "totp"], answer.GetProperty("filled").EnumerateArray().Select(f => f.GetString()));
        Assert.True(answer.GetProperty("leftSignInForm").GetBoolean());
        Assert.Single(signIn.Content.OfType<ImageContentBlock>());
        await Assertions.Expect(agent.Page.Locator("h1")).ToHaveTextAsync("Signed in");
        Assert.Contains("totp", fixture.Site.SignedIn);

        AssertNoSecret(run, agent.Server, logins.RootElement.GetRawText(), Text(signIn));
        // list_logins read once, sign_in at least once (its code step reads the TOTP code fresh): all on the trail.
        var trail = await run.AuditAsync();
        Assert.True(trail.Count >= 2, $"{trail.Count} audited reads");
        Assert.All(trail, entry => Assert.Equal([run.Items["Bank"]], entry.ItemIds));
    }

    [Fact]
    public async Task Waits_for_the_runs_next_code_and_fills_it_without_showing_it()
    {
        var run = await fixture.RunAsync();
        await using var agent = await AgentAsync(run, fixture.Site.Https("/code-only"));

        // The site's mail comes before the model asks for it: it still counts, being newer than the server.
        await run.PushAsync("Your Bank code: 660431");
        var result = await agent.Server.Client.CallToolAsync("wait_for_code", new Dictionary<string, object?> { ["waitSeconds"] = 20 });

        Assert.True(result.IsError is null or false, Text(result));
        Assert.True(JsonDocument.Parse(Text(result)).RootElement.GetProperty("filled").GetBoolean());
        Assert.Equal("660431", await agent.Page.InputValueAsync("#otp"));
        Assert.DoesNotContain("660431", Text(result));
        Assert.DoesNotContain("660431", agent.Server.ErrorOutput);

        // That code is used: the next call waits for a new one, and fills it when it comes.
        await agent.Page.FillAsync("#otp", "");
        var next = agent.Server.Client.CallToolAsync("wait_for_code", new Dictionary<string, object?> { ["waitSeconds"] = 20 }).AsTask();
        await Task.Delay(1500);
        Assert.False(next.IsCompleted);
        await run.PushAsync("Your new Bank code: 118820");
        Assert.True(JsonDocument.Parse(Text(await next)).RootElement.GetProperty("filled").GetBoolean());
        Assert.Equal("118820", await agent.Page.InputValueAsync("#otp"));
    }

    [Fact]
    public async Task A_page_the_run_was_not_granted_is_refused_with_its_code()
    {
        var run = await fixture.RunAsync();
        await using var agent = await AgentAsync(run, fixture.Site.Https("/single", Vault.Testing.SignIn.SignInTestSite.LookAlike));

        var result = await agent.Server.Client.CallToolAsync("sign_in", new Dictionary<string, object?>());

        Assert.True(result.IsError);
        Assert.Equal("ORIGIN_NOT_GRANTED", JsonDocument.Parse(Text(result)).RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(string.Empty, await agent.Page.InputValueAsync("#pass"));
        AssertNoSecret(run, agent.Server, Text(result));
    }

    private void AssertNoSecret(TestRun run, VaultMcpProcess server, params string[] results)
    {
        foreach (var secret in new[] { SignInFixture.Password, run.Options.RunToken, "JBSWY3DPEHPK3PXP" })
        {
            Assert.All(results, r => Assert.DoesNotContain(secret, r));
            Assert.DoesNotContain(secret, server.ErrorOutput);
        }

        Assert.Empty(fixture.Host.Logs.Leaked(SignInFixture.Password));
    }

    private static async Task<JsonDocument> CallAsync(VaultMcpProcess server, string tool)
    {
        var result = await server.Client.CallToolAsync(tool, new Dictionary<string, object?>());
        Assert.True(result.IsError is null or false, Text(result));
        return JsonDocument.Parse(Text(result));
    }

    private static string Text(CallToolResult result) => string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));

    /// <summary>The agent's browser on <paramref name="url"/>, and <c>vault mcp</c> attached to it for the run.</summary>
    private async Task<Agent> AgentAsync(TestRun run, string url)
    {
        var chromium = await CdpChromium.StartAsync(ChromiumExecutable.Path, fixture.Site.ChromiumArgs);
        var browser = await fixture.Playwright.Chromium.ConnectOverCDPAsync(chromium.Endpoint);
        var page = browser.Contexts[0].Pages[0];
        await page.GotoAsync(url);
        var server = await VaultMcpProcess.StartAsync(chromium.Endpoint, new Dictionary<string, string?>
        {
            ["VAULT_URL"] = fixture.Host.BaseAddress.ToString(), ["VAULT_RUN_ID"] = run.Options.RunId, ["VAULT_RUN_TOKEN"] = run.Options.RunToken,
        });
        return new Agent(chromium, browser, page, server);
    }

    private sealed record Agent(CdpChromium Chromium, IBrowser Browser, IPage Page, VaultMcpProcess Server) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Browser.CloseAsync();
            await Chromium.DisposeAsync();
        }
    }
}
