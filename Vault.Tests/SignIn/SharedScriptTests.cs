using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.SignIn;

/// <summary>
/// Both SDKs run the same in-page scripts: the C# SDK embeds <c>sdk/signin/*.js</c>, the TypeScript SDK carries them in
/// its generated <c>src/signin/scripts.ts</c> (scripts/embed-signin.mjs, run by its build), which must be current.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed partial class SharedScriptTests
{
    [Theory]
    [InlineData("LOGIN_FORM_SCRIPT", "login-form.js")]
    [InlineData("REDACTED_SNAPSHOT_SCRIPT", "redacted-snapshot.js")]
    public void The_typescript_sdk_carries_the_shared_script_unchanged(string constant, string file)
    {
        var source = File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "signin", file));
        var generated = File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "typescript", "src", "signin", "scripts.ts"));

        var literal = Constant().Matches(generated).Single(m => m.Groups["name"].Value == constant).Groups["json"].Value;

        Assert.True(JsonNode.Parse(literal)!.GetValue<string>() == source,
            $"sdk/typescript/src/signin/scripts.ts is stale: run `npm run build` in sdk/typescript and commit it ({file}).");
    }

    [Fact]
    public void The_csharp_sdk_embeds_the_shared_scripts()
    {
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "signin", "login-form.js")), Vault.Client.Playwright.LoginFormScripts.LoginForm);
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "signin", "redacted-snapshot.js")), Vault.Client.Playwright.LoginFormScripts.RedactedSnapshot);
    }

    [GeneratedRegex("^export const (?<name>[A-Z_]+) = (?<json>\".*\");$", RegexOptions.Multiline)]
    private static partial Regex Constant();
}
