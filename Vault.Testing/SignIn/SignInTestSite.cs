using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vault.Core.Runs;
using Vault.Testing.OnePassword;

namespace Vault.Testing.SignIn;

/// <summary>
/// Web sites to sign in to, served by one Kestrel app over https (a private CA's leaf for every test host name) and
/// plain http. Host names are real-looking (<see cref="Bank"/>, a look-alike, an IDN spelling, another origin for a
/// frame); the browser maps them to loopback (<c>--host-resolver-rules</c>) and trusts exactly this leaf
/// (<see cref="SpkiHash"/> for <c>--ignore-certificate-errors-spki-list</c>). Forms post back and are checked against
/// <see cref="Username"/>, <see cref="Password"/>, the TOTP seed and <see cref="EmailCode"/>; <see cref="SignedIn"/>
/// records each sign-in that succeeded.
/// </summary>
public sealed class SignInTestSite : IAsyncDisposable
{
    public const string Bank = "bank.test";
    public const string OtherOrigin = "login.other.test";
    public const string LookAlike = "bank-login.test";

    /// <summary>"bänk.test" as the browser and DNS see it.</summary>
    public static readonly string IdnLookAlike = new IdnMapping().GetAscii("bänk.test");

    private readonly WebApplication _app;
    private readonly TestCertificateAuthority _ca;

    private SignInTestSite(WebApplication app, TestCertificateAuthority ca, string spki)
    {
        _app = app;
        _ca = ca;
        SpkiHash = spki;
    }

    public string Username { get; init; } = "alice@bank.test";
    public string Password { get; init; } = "correct-horse-42!";
    public string? TotpSecret { get; init; }
    public string EmailCode { get; set; } = "482913";

    public int HttpsPort { get; private set; }
    public int HttpPort { get; private set; }
    public string SpkiHash { get; }

    public ConcurrentQueue<string> SignedIn { get; } = new();

    /// <summary>https://host:port/path on this site.</summary>
    public string Https(string path, string host = Bank) => $"https://{host}:{HttpsPort}{path}";

    public string Http(string path, string host = Bank) => $"http://{host}:{HttpPort}{path}";

    /// <summary>The Chromium switches that reach these sites and trust their certificate only.</summary>
    public IReadOnlyList<string> ChromiumArgs =>
        ["--host-resolver-rules=MAP *.test 127.0.0.1", "--ignore-certificate-errors-spki-list=" + SpkiHash];

    public static async Task<SignInTestSite> StartAsync(string username, string password, string? totpSecret)
    {
        var ca = new TestCertificateAuthority();
        var leaf = ca.IssueServerCertificate([Bank, OtherOrigin, LookAlike, IdnLookAlike]);
        var spki = Convert.ToBase64String(SHA256.HashData(leaf.PublicKey.ExportSubjectPublicKeyInfo()));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(leaf));
            k.Listen(IPAddress.Loopback, 0);
        });
        var app = builder.Build();
        var site = new SignInTestSite(app, ca, spki) { Username = username, Password = password, TotpSecret = totpSecret };
        site.Map(app);
        await app.StartAsync().ConfigureAwait(false);
        var ports = app.Urls.Select(u => (Https: u.StartsWith("https", StringComparison.Ordinal), Port: new Uri(u).Port)).ToList();
        site.HttpsPort = ports.First(p => p.Https).Port;
        site.HttpPort = ports.First(p => !p.Https).Port;
        return site;
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/single", () => Html(SignInPages.Single("/single")));
        app.MapPost("/single", async Task<IResult> (HttpContext c) =>
        {
            var form = await c.Request.ReadFormAsync().ConfigureAwait(false);
            var (user, pass) = (First(form, "login", "f1", "a"), First(form, "password", "f2", "b"));
            return user == Username && pass == Password ? SignedInAs("single", user) : Html(SignInPages.Single("/single", "Wrong username or password."));
        });
        app.MapGet("/two-step", () => Html(SignInPages.UsernameStep()));
        app.MapPost("/two-step", async Task<IResult> (HttpContext c) =>
            Html(SignInPages.PasswordStep((await c.Request.ReadFormAsync().ConfigureAwait(false))["identifier"].ToString())));
        app.MapPost("/two-step/password", async Task<IResult> (HttpContext c) =>
        {
            var form = await c.Request.ReadFormAsync().ConfigureAwait(false);
            return form["identifier"] == Username && form["pw"] == Password ? SignedInAs("two-step", Username) : Html(SignInPages.UsernameStep());
        });
        // Password, then a code: the TOTP of the item's seed (this and the previous period), or the e-mail code.
        foreach (var (path, codeOk) in new (string, Func<string, bool>)[] { ("/totp", IsTotp), ("/email-code", code => code == EmailCode) })
        {
            app.MapGet(path, () => Html(SignInPages.Single(path)));
            app.MapPost(path, async Task<IResult> (HttpContext c) =>
            {
                var form = await c.Request.ReadFormAsync().ConfigureAwait(false);
                return form["login"] == Username && form["password"] == Password
                    ? Html(SignInPages.CodeStep(path + "/code", path == "/totp" ? "Authenticator code" : "Code from the e-mail"))
                    : Html(SignInPages.Single(path, "Wrong username or password."));
            });
            app.MapPost(path + "/code", async Task<IResult> (HttpContext c) =>
                codeOk((await c.Request.ReadFormAsync().ConfigureAwait(false))["otp"].ToString()) ? SignedInAs(path.Trim('/'), Username) : Html(SignInPages.CodeStep(path + "/code")));
        }

        app.MapGet("/code-only", () => Html(SignInPages.CodeStep("/totp/code")));
        app.MapGet("/lang/{lang}", (string lang) => Html(SignInPages.Localized(lang)));
        app.MapGet("/frame-same", () => Html(SignInPages.Frame("/single")));
        app.MapGet("/frame-cross", IResult (HttpContext c) => Html(SignInPages.Frame($"https://{OtherOrigin}:{c.Connection.LocalPort}/single")));
        app.MapGet("/sign-up", () => Html(SignInPages.SignUp()));
        app.MapGet("/frame-hidden", () => Html(SignInPages.HiddenFrame("/single")));
        app.MapGet("/no-form", () => Html(SignInPages.NoForm()));
        app.MapGet("/welcome", () => Html(SignInPages.Welcome(Username)));
    }

    private IResult SignedInAs(string flow, string user)
    {
        SignedIn.Enqueue(flow);
        return Html(SignInPages.Welcome(user));
    }

    private bool IsTotp(string code)
    {
        var now = DateTimeOffset.UtcNow;
        return TotpSecret is not null && (TotpGenerator.Compute(TotpSecret, now)?.Code == code || TotpGenerator.Compute(TotpSecret, now.AddSeconds(-30))?.Code == code);
    }

    private static string First(IFormCollection form, params string[] names) =>
        names.Select(n => form[n].ToString()).FirstOrDefault(v => v.Length > 0) ?? string.Empty;

    private static IResult Html(string html) => Results.Content(html, "text/html; charset=utf-8");

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        _ca.Dispose();
    }
}
