using System.Text.Json.Nodes;
using Vault.Testing.SignIn;
using Vault.Tests.Infrastructure;
using Vault.Tests.Sdk;

namespace Vault.Tests.SignIn;

/// <summary>
/// The TypeScript SDK's <c>signIn</c> (sdk/typescript/dist) in Chromium through playwright-core, run by node
/// (<c>ts-signin.mjs</c>) against the same test sites and host as the C# SDK's tests: the same fills and the same refusals.
/// </summary>
[Trait(TestKind.Trait, TestKind.Browser)]
[Collection(SignInCollection.Name)]
public sealed class TypeScriptSignInTests(SignInFixture fixture)
{
    [Fact]
    public async Task The_typescript_sdk_fills_and_refuses_as_the_csharp_one_does()
    {
        var root = SdkTestKit.RepoRoot();
        var package = Path.Combine(root, "sdk", "typescript");
        if (!File.Exists(Path.Combine(package, "dist", "signin", "signin.js")))
        {
            Assert.Equal(0, (await SdkTestKit.RunAsync("npm", ["run", "build"], package)).Code);
        }

        var site = fixture.Site;
        var run = await fixture.RunAsync(("Bank", SignInFixture.Username, SignInFixture.Password, SignInFixture.TotpSeed, [(site.Https("/"), null)]));
        var urls = new JsonObject
        {
            ["single"] = site.Https("/single"), ["twoStep"] = site.Https("/two-step"), ["totp"] = site.Https("/totp"),
            ["frameSame"] = site.Https("/frame-same"), ["frameCross"] = site.Https("/frame-cross"), ["http"] = site.Http("/single"),
            ["lookAlike"] = site.Https("/single", SignInTestSite.LookAlike), ["idn"] = site.Https("/single", "bänk.test"),
            ["noForm"] = site.Https("/no-form"), ["german"] = site.Https("/lang/de"), ["host"] = SignInTestSite.Bank,
        };
        var (code, output, errors) = await SdkTestKit.RunAsync("node", [Path.Combine(root, "Vault.Tests", "SignIn", "ts-signin.mjs")], root, new Dictionary<string, string>
        {
            ["VAULT_URL"] = fixture.Host.BaseAddress.ToString().TrimEnd('/'), ["RUN_ID"] = run.Options.RunId, ["RUN_TOKEN"] = run.Options.RunToken,
            ["CHROMIUM"] = ChromiumExecutable.Path, ["ARGS"] = new JsonArray(fixture.BrowserArgs.Select(a => (JsonNode)a).ToArray()).ToJsonString(),
            ["SITE"] = urls.ToJsonString(),
        });
        Assert.True(code == 0, $"node ts-signin.mjs failed ({code}): {output} {errors}");
        var result = JsonNode.Parse(output)!;
        var itemId = run.Items["Bank"];

        JsonNode Result(string name) => result[name]!["result"] ?? throw new Xunit.Sdk.XunitException($"{name}: {result[name]!.ToJsonString()}");
        string? Error(string name) => result[name]!["error"]?["code"]?.GetValue<string>();
        string[] Strings(JsonNode? node) => node!.AsArray().Select(v => v!.GetValue<string>()).ToArray();

        Assert.Equal((itemId, "Bank"), (Result("single")["itemId"]!.GetValue<string>(), Result("single")["label"]!.GetValue<string>()));
        Assert.Equal(["username", "password"], Strings(Result("single")["filled"]));
        Assert.Equal([SignInFixture.Username, SignInFixture.Password, "", ""], Strings(result["single"]!["values"]));
        Assert.DoesNotContain(SignInFixture.Password, result["single"]!["snapshot"]!.GetValue<string>());
        Assert.Equal(["username", "password"], Strings(Result("twoStep")["filled"]));
        Assert.Equal(["username", "password", "totp"], Strings(Result("totp")["filled"]));
        Assert.True(Result("totp")["leftSignInForm"]!.GetValue<bool>());
        Assert.Equal("Signed in", result["totp"]!["heading"]!.GetValue<string>());
        Assert.Equal([SignInFixture.Password], Strings(result["sameOriginFrame"]!["values"]));
        Assert.Equal([SignInFixture.Username, SignInFixture.Password], Strings(result["german"]!["values"]));
        Assert.Equal("CROSS_ORIGIN_FRAME", Error("crossOriginFrame"));
        Assert.Equal("INSECURE_PAGE", Error("http"));
        Assert.Equal("ORIGIN_NOT_GRANTED", Error("lookAlike"));
        Assert.Equal("ORIGIN_NOT_GRANTED", Error("idn"));
        Assert.Equal("NO_LOGIN_FORM", Error("noForm"));
        Assert.Equal(("UNAUTHORIZED", 401), (Error("unauthorized"), result["unauthorized"]!["error"]!["status"]!.GetValue<int>()));
        Assert.Equal("VaultError", result["unauthorized"]!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(itemId, Assert.Single(result["logins"]!.AsArray())!["itemId"]!.GetValue<string>());

        // Nothing secret anywhere but in the page's own fields (the "values" the script read back from the page).
        var unescaped = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        foreach (var node in result.AsObject().Select(p => p.Value!.DeepClone()))
        {
            (node as JsonObject)?.Remove("values");
            Assert.DoesNotContain(SignInFixture.Password, node.ToJsonString(unescaped));
        }

        Assert.DoesNotContain(SignInFixture.Password, errors);
        Assert.Empty(fixture.Host.Logs.Leaked(SignInFixture.Password));
        // Every fill read the credential through the audited route: single, two-step, TOTP, same-origin frame, German,
        // the look-alike and IDN reads (no item), listLogins; the refusals before any read (frame, http, no form) did not.
        var audit = await run.AuditAsync();
        Assert.Equal(2, audit.Count(e => e.ItemIds.Length == 0));
        // Six reads, or seven when the TOTP code was about to expire and was read afresh.
        Assert.InRange(audit.Count(e => e.ItemIds.SequenceEqual([itemId])), 6, 7);
        Assert.Equal(audit.Count, audit.Count(e => e.ItemIds.Length == 0 || e.ItemIds.SequenceEqual([itemId])));
    }
}
