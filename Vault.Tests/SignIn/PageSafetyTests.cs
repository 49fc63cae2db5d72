using Vault.Client.Playwright;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.SignIn;

/// <summary>What an agent may hand to a model after a fill: a screenshot with the secret fields masked, a snapshot without values.</summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(SignInCollection.Name)]
public sealed class PageSafetyTests(SignInFixture fixture)
{
    [Fact]
    public async Task The_snapshot_shows_the_form_but_no_value_even_when_the_page_echoes_one()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(fixture.Site.Https("/single"));
        await page.SignInAsync(run.Options);
        // A page that echoes what was typed (a "show password" label, an error message).
        await page.EvaluateAsync("() => { const p = document.createElement('p'); p.textContent = 'You typed ' + document.querySelector('#pass').value; document.body.append(p); }");

        var snapshot = await page.RedactedSnapshotAsync();

        Assert.DoesNotContain(SignInFixture.Password, snapshot);
        Assert.DoesNotContain(SignInFixture.Username, snapshot);
        Assert.Contains("[input type=\"password\" name=\"password\" id=\"pass\" autocomplete=\"current-password\" label=\"Password\" (filled)]", snapshot);
        Assert.Contains("You typed [redacted]", snapshot);
        Assert.Contains("[button \"Sign in\"]", snapshot);
    }

    [Fact]
    public async Task The_screenshot_masks_the_password_and_code_fields()
    {
        var run = await fixture.RunAsync();
        var page = await fixture.NewPageAsync(fixture.Site.Https("/single"));
        await page.SignInAsync(run.Options);
        var before = await page.MaskedScreenshotAsync();
        await page.FillAsync("#pass", "x");

        // Only the masked field changed: the two masked shots are the same, the unmasked ones differ.
        var after = await page.MaskedScreenshotAsync();
        Assert.Equal(before, after);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], before[..4]);
        await page.FillAsync("#user", "someone-else");
        Assert.NotEqual(before, await page.MaskedScreenshotAsync());
    }
}
