using Microsoft.Playwright;
using Vault.Client.Playwright;
using Vault.Testing.SignIn;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.SignIn;

/// <summary>
/// The C# SDK's sign-in in Debian's Chromium against the local https test sites: what it fills (and that the values
/// in the page are the item's secrets), what it refuses with which code, that every fill's credential read is in the
/// run's audit log, and that no secret is in a result, an exception or the service's logs.
/// </summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(SignInCollection.Name)]
public sealed class PageSignInTests(SignInFixture fixture)
{
    private SignInTestSite Site => fixture.Site;

    [Fact]
    public async Task A_single_form_gets_the_username_and_password_and_nothing_else()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/single"));

        var result = await page.SignInAsync(run.Options);

        Assert.Equal((run.Items["Bank"], "Bank"), (result.ItemId, result.Label));
        Assert.Equal(["username", "password"], result.Filled);
        Assert.Null(result.LeftSignInForm);
        Assert.Equal(SignInFixture.Username, await page.InputValueAsync("#user"));
        Assert.Equal(SignInFixture.Password, await page.InputValueAsync("#pass"));
        // The honeypot (off-page), the search box and the newsletter field stay empty.
        Assert.Equal(string.Empty, await page.InputValueAsync("input[name=email_confirm]"));
        Assert.Equal(string.Empty, await page.InputValueAsync("input[name=q]"));
        Assert.Equal(string.Empty, await page.InputValueAsync("input[name=news]"));
        Assert.DoesNotContain(SignInFixture.Password, result.ToString());

        var (itemIds, domain) = Assert.Single(await run.AuditAsync());
        Assert.Equal([run.Items["Bank"]], itemIds);
        Assert.Equal(Site.Https("/single"), domain);
        Assert.Empty(fixture.Host.Logs.Leaked(SignInFixture.Password));
    }

    [Fact]
    public async Task Submit_signs_in_and_reports_that_the_page_left_the_form()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/single"));

        var result = await page.SignInAsync(run.Options with { Submit = true });

        Assert.True(result.LeftSignInForm);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Signed in");
    }

    [Fact]
    public async Task A_wrong_password_stays_on_the_form_and_says_so()
    {
        var run = await fixture.RunAsync(("Bank", SignInFixture.Username, "not-the-password", null, [(Site.Https("/"), null)]));
        var page = await fixture.NewPageAsync(Site.Https("/single"));

        var result = await page.SignInAsync(run.Options with { Submit = true, StepTimeout = TimeSpan.FromSeconds(3) });

        Assert.False(result.LeftSignInForm);
        Assert.Equal(["username", "password"], result.Filled);
    }

    [Fact]
    public async Task A_username_then_password_flow_is_filled_across_two_pages()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/two-step"));

        var filled = await page.SignInAsync(run.Options);

        Assert.Equal(["username", "password"], filled.Filled);
        Assert.Equal(SignInFixture.Password, await page.InputValueAsync("#pw"));
        await page.ClickAsync("button[type=submit]");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Signed in");
        Assert.Contains("two-step", Site.SignedIn);
    }

    [Fact]
    public async Task The_totp_step_after_the_password_gets_the_items_current_code()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/totp"));

        var result = await page.SignInAsync(run.Options with { Submit = true });

        Assert.Equal(["username", "password", "totp"], result.Filled);
        Assert.True(result.LeftSignInForm);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Signed in");
        Assert.Contains("totp", Site.SignedIn);
        Assert.All(await run.AuditAsync(), e => Assert.Equal([run.Items["Bank"]], e.ItemIds));
        Assert.Empty(fixture.Host.Logs.Leaked(SignInFixture.Password));
    }

    [Fact]
    public async Task Without_a_totp_seed_the_code_step_gets_the_runs_next_emailed_code()
    {
        var run = await fixture.RunAsync(("Bank", SignInFixture.Username, SignInFixture.Password, null, [(Site.Https("/"), null)]));
        var page = await fixture.NewPageAsync(Site.Https("/email-code"));
        // The site "sends" its e-mail once the code step is shown.
        var mail = Task.Run(async () =>
        {
            var codeStep = page.GetByLabel("Code from the e-mail");
            await codeStep.WaitForAsync(new LocatorWaitForOptions { Timeout = 20_000 });
            await run.PushAsync($"Your Bank sign-in code is {Site.EmailCode}.");
        });

        var result = await page.SignInAsync(run.Options with { Submit = true, CodeWait = TimeSpan.FromSeconds(20) });
        await mail;

        Assert.Equal(["username", "password", "totp"], result.Filled);
        Assert.True(result.LeftSignInForm);
        Assert.Contains("email-code", Site.SignedIn);
    }

    [Fact]
    public async Task FillNextCode_waits_for_the_runs_next_code_and_fills_it()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/code-only"));

        var waiting = page.FillNextCodeAsync(run.Options, TimeSpan.FromSeconds(20));
        await Task.Delay(1000);
        await run.PushAsync("Your code: 771204");

        Assert.True(await waiting);
        Assert.Equal("771204", await page.InputValueAsync("#otp"));
        Assert.False(await (await fixture.NewPageAsync(Site.Https("/no-form"))).FillNextCodeAsync(run.Options, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_login_in_a_same_origin_frame_is_filled()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/frame-same"));

        var result = await page.SignInAsync(run.Options);

        Assert.Equal(["username", "password"], result.Filled);
        var frame = page.FrameLocator("iframe");
        Assert.Equal(SignInFixture.Password, await frame.Locator("#pass").InputValueAsync());
    }

    [Fact]
    public async Task A_login_in_a_cross_origin_frame_is_refused_without_reading_a_secret()
    {
        var run = await fixture.RunAsync(
            ("Bank", SignInFixture.Username, SignInFixture.Password, null, [(Site.Https("/"), null), ($"https://{SignInTestSite.OtherOrigin}:{Site.HttpsPort}/", null)]));
        var page = await fixture.NewPageAsync(Site.Https("/frame-cross"));

        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options));

        Assert.Equal(SignInException.CrossOriginFrame, error.Code);
        Assert.Equal(string.Empty, await page.FrameLocator("iframe").Locator("#pass").InputValueAsync());
        Assert.Empty(await run.AuditAsync());
    }

    [Fact]
    public async Task A_plain_http_page_is_refused()
    {
        var run = await fixture.RunAsync(("Bank", SignInFixture.Username, SignInFixture.Password, null, [(Site.Https("/"), null), (Site.Http("/"), null)]));
        var page = await fixture.NewPageAsync(Site.Http("/single"));

        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options));

        Assert.Equal(SignInException.InsecurePage, error.Code);
        Assert.Equal(string.Empty, await page.InputValueAsync("#pass"));
        Assert.Empty(await run.AuditAsync());
    }

    [Theory]
    [InlineData(SignInTestSite.LookAlike)]
    [InlineData("bänk.test")]
    public async Task A_look_alike_or_idn_host_is_not_granted(string spelling)
    {
        var host = new System.Globalization.IdnMapping().GetAscii(spelling);
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/single", host));

        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options));

        Assert.Equal(SignInException.OriginNotGranted, error.Code);
        Assert.Equal(string.Empty, await page.InputValueAsync("#pass"));
        Assert.DoesNotContain(SignInFixture.Password, error.ToString());
        // The service was asked for that site only, and answered no item.
        Assert.Equal(Site.Https("/single", host), Assert.Single(await run.AuditAsync()).Domain);
    }

    [Fact]
    public async Task A_host_rule_is_decided_as_the_run_route_decides_it()
    {
        // Bitwarden's "Host" match (1): the item is for the look-alike's exact host, not for the bank.
        var run = await fixture.RunAsync(("Bank", SignInFixture.Username, SignInFixture.Password, null, [(Site.Https("/", SignInTestSite.OtherOrigin), 1)]));
        var page = await fixture.NewPageAsync(Site.Https("/single"));

        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options));

        Assert.Equal(SignInException.OriginNotGranted, error.Code);
    }

    [Fact]
    public async Task A_page_without_a_login_form_is_refused()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/no-form"));

        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options));

        Assert.Equal(SignInException.NoLoginForm, error.Code);
        Assert.Equal(string.Empty, await page.InputValueAsync("input[name=news]"));
    }

    [Theory]
    [InlineData("/sign-up")]
    [InlineData("/frame-hidden")]
    public async Task A_sign_up_form_or_a_hidden_login_frame_is_no_login_form(string path)
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https(path));

        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options));

        Assert.Equal(SignInException.NoLoginForm, error.Code);
        Assert.Empty(await run.AuditAsync());
    }

    [Fact]
    public async Task Plain_http_on_loopback_is_filled()
    {
        var local = $"http://127.0.0.1:{Site.HttpPort}/";
        var run = await fixture.RunAsync(("Local", SignInFixture.Username, SignInFixture.Password, null, [(local, null)]));
        var page = await fixture.NewPageAsync(local + "single");

        var result = await page.SignInAsync(run.Options);

        Assert.Equal(["username", "password"], result.Filled);
        Assert.Equal(SignInFixture.Password, await page.InputValueAsync("#pass"));
    }

    [Theory]
    [InlineData("de", "#f1", "#f2")]
    [InlineData("fr", "#f1", "#f2")]
    [InlineData("ja", "input[name=a]", "input[name=b]")]
    public async Task Localized_forms_are_found_by_their_labels(string lang, string user, string pass)
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/lang/" + lang));

        var result = await page.SignInAsync(run.Options);

        Assert.Equal(["username", "password"], result.Filled);
        Assert.Equal((SignInFixture.Username, SignInFixture.Password), (await page.InputValueAsync(user), await page.InputValueAsync(pass)));
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Signed in");
    }

    [Fact]
    public async Task A_wrong_token_is_unauthorized_and_an_unreachable_service_unavailable()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(Site.Https("/single"));

        var unauthorized = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options with { RunToken = "not-the-token" }));
        var unavailable = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options with { BaseUrl = new Uri("http://127.0.0.1:9") }));

        Assert.Equal((SignInException.Unauthorized, 401), (unauthorized.Code, unauthorized.Error.Status));
        Assert.DoesNotContain(SignInFixture.Password, unauthorized.ToString() + unavailable);
        Assert.Equal(SignInException.VaultUnavailable, unavailable.Code);
        Assert.Equal(string.Empty, await page.InputValueAsync("#pass"));
    }

    [Fact]
    public async Task ListLogins_names_the_granted_logins_without_a_secret()
    {
        var run = await fixture.RunAsync();

        var logins = await PageSignIn.ListLoginsAsync(run.Options, SignInTestSite.Bank);

        var login = Assert.Single(logins);
        Assert.Equal((run.Items["Bank"], "Bank", SignInFixture.Username), (login.ItemId, login.Label, login.Username));
        Assert.DoesNotContain(SignInFixture.Password, login.ToString());
        Assert.Empty(await PageSignIn.ListLoginsAsync(run.Options, SignInTestSite.LookAlike));
    }

    [Fact]
    public async Task An_item_id_chooses_among_several_logins_and_an_ungranted_one_is_refused()
    {
        var run = await fixture.RunAsync(
            ("Bank", SignInFixture.Username, SignInFixture.Password, null, [(Site.Https("/"), null)]),
            ("Bank (joint)", "bob@bank.test", "joint-secret-pw", null, [(Site.Https("/"), null)]));
        var page = await fixture.NewPageAsync(Site.Https("/single"));

        var result = await page.SignInAsync(run.Options with { ItemId = run.Items["Bank (joint)"] });
        var error = await Assert.ThrowsAsync<SignInException>(() => page.SignInAsync(run.Options with { ItemId = "cred:conn-x:y:z" }));

        Assert.Equal(("Bank (joint)", "bob@bank.test"), (result.Label, await page.InputValueAsync("#user")));
        Assert.Equal(SignInException.OriginNotGranted, error.Code);
    }
}
