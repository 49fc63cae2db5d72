using System.Diagnostics;
using System.Text.Json;
using Vault.Testing.Keeper;
using Vault.Tests.OnePassword;

namespace Vault.Tests.Keeper;

/// <summary>Runs Vault.Tests/Keeper/sdk-judge.mjs with Keeper's official SDK from the repository's node_modules.</summary>
internal static class KeeperSdkJudge
{
    public static async Task<(int ExitCode, JsonElement Output)> RunAsync(FakeKeeperServer server, int keyId, long totpAt, params string[] args)
    {
        var root = SdkJudge.RepoRoot();
        var sdk = Path.Combine(root, "node_modules", "@keeper-security", "secrets-manager-core", "package.json");
        Assert.True(File.Exists(sdk), $"Keeper's official SDK is not installed ({sdk} is missing): run `npm ci` in {root} (./test does).");
        var start = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "Vault.Tests", "Keeper", "sdk-judge.mjs"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NODE_EXTRA_CA_CERTS"] = server.Ca.CaPemPath;
        start.Environment["KSM_SERVER_PUBLIC_KEY"] = server.PublicKeyOf(keyId);
        start.Environment["KSM_SERVER_PUBLIC_KEY_ID"] = keyId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TOTP_AT"] = totpAt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(process.ExitCode is 0 or 2, $"The Keeper SDK judge did not run (exit {process.ExitCode}): {output} {await stderr}");
        return (process.ExitCode, JsonDocument.Parse(output).RootElement.Clone());
    }

    /// <summary>Runs the judge and requires success.</summary>
    public static async Task<JsonElement> ReadAsync(FakeKeeperServer server, int keyId, long totpAt, params string[] args)
    {
        var (exit, output) = await RunAsync(server, keyId, totpAt, args);
        Assert.True(exit == 0, "Keeper's SDK failed against the fake: " + output.GetRawText() +
            "\nRequests: " + string.Join(", ", server.Requests.Select(r => $"{r.Path} {r.Status}")) + "\nProblems: " + string.Join("; ", server.Problems));
        return output;
    }
}
