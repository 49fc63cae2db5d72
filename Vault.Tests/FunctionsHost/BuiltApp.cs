using System.Diagnostics;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.FunctionsHost;

/// <summary>
/// The Vault.Functions app the host runs: <c>VAULT_FUNCTIONS_APP</c> when set (a publish output), else the build output
/// of the configuration these tests were built in (it holds functions.metadata, as a publish does), else one
/// <c>dotnet publish</c> into .local/ per test run.
/// </summary>
public static class BuiltApp
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _directory;

    public static async Task<string> DirectoryAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _directory ??= await FindOrPublishAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<string> FindOrPublishAsync()
    {
        var given = Environment.GetEnvironmentVariable("VAULT_FUNCTIONS_APP");
        if (!string.IsNullOrEmpty(given))
        {
            return Path.GetFullPath(given);
        }

        // …/Vault.Tests/bin/<configuration>/<tfm>/
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (configuration, framework) = (output.Parent!.Name, output.Name);
        var built = Path.Combine(RepoPaths.Root, "Vault.Functions", "bin", configuration, framework);
        if (File.Exists(Path.Combine(built, "functions.metadata")))
        {
            return built;
        }

        var target = Path.Combine(RepoPaths.Root, ".local", "functions-app");
        var publish = new ProcessStartInfo("dotnet") { WorkingDirectory = RepoPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "publish", "Vault.Functions", "-c", configuration, "-o", target, "--nologo", "-v", "quiet" })
        {
            publish.ArgumentList.Add(arg);
        }

        using var process = Process.Start(publish)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet publish Vault.Functions failed: {await stdout} {await stderr}");
        }

        return target;
    }
}
