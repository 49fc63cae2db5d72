using System.Diagnostics;
using System.Text.Json.Nodes;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Sdk;

/// <summary>
/// The standalone host with the real providers, the fake Bitwarden server, and Bitwarden accounts to connect: what the
/// SDK and CLI tests drive.
/// </summary>
public sealed class SdkTestKit : IAsyncLifetime
{
    /// <summary>
    /// The in-process SDK and CLI tests run one class at a time: run side by side on a loaded machine they once stalled
    /// (not understood yet; each passes alone and the subprocess SDKs are unaffected).
    /// </summary>
    public const string Collection = "in-process SDK clients";

    public static readonly KdfSettings Pbkdf2 = new(KdfType.Pbkdf2Sha256, 600_000, null, null);

    public FakeBitwardenServer Server { get; private set; } = null!;
    public VaultTestHost Host { get; private set; } = null!;
    public string Url => Host.BaseAddress.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        Server = await FakeBitwardenServer.StartAsync();
        Host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:Network:AttemptTimeout"] = "00:00:05",
            ["Vault:Network:TotalTimeout"] = "00:00:10",
        }, useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Server.DisposeAsync();
    }

    /// <summary>A Bitwarden account with a GitHub login (password <paramref name="githubPassword"/>, TOTP) and a shop login.</summary>
    public FakeBitwardenAccount Account(string email, string githubPassword = "gh-secret-pw")
    {
        var account = Server.AddAccount(email, "correct horse battery staple", Pbkdf2);
        account.AddLogin("GitHub", "alice", githubPassword, "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP", [("https://github.com/login", null)]);
        account.AddLogin("Shop", "alice@example.com", "shop-pw", null, [("https://shop.example.org", null)]);
        return account;
    }

    public JsonObject Credentials(FakeBitwardenAccount account) => new()
    {
        ["clientId"] = account.ClientId, ["clientSecret"] = account.ClientSecret, ["masterPassword"] = account.MasterPassword,
    };

    /// <summary>Connects an account over plain HTTP (the SDKs are not what is under test there).</summary>
    public async Task ConnectAsync(string apiKey, FakeBitwardenAccount account)
    {
        var body = Credentials(account);
        body["provider"] = "bitwarden";
        body["serverUrl"] = Server.BaseUrl;
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 201);
    }

    public static string RepoRoot() => OnePassword.SdkJudge.RepoRoot();

    /// <summary>Runs a program to its end; returns its exit code, standard output and standard error.</summary>
    public static async Task<(int Code, string Out, string Err)> RunAsync(
        string program, IEnumerable<string> args, string workingDirectory, IDictionary<string, string>? environment = null, int timeoutSeconds = 300)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException(program + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
