using Vault.Tests.Infrastructure;

namespace Vault.Tests.FunctionsHost;

/// <summary>
/// How the tests run the app under the Azure Functions host, in this order: the script named by
/// <c>VAULT_FUNCTIONS_HOST_RUN</c>; <c>func start</c> when <c>func</c> is on PATH; <c>../shared/tools/functions-host/run</c>
/// beside the repo (a build of the open-source host for machines without <c>func</c>). None: the host tests report
/// themselves skipped with <see cref="SkipReason"/>, and <c>./test</c> prints the same.
/// </summary>
public static class FunctionsHostLocator
{
    public const string RunOverride = "VAULT_FUNCTIONS_HOST_RUN";

    private static readonly Lazy<(FunctionsHostCommand? Command, string Reason)> Found = new(Find);

    public static FunctionsHostCommand? Command => Found.Value.Command;

    /// <summary>Null when a host was found.</summary>
    public static string? SkipReason => Found.Value.Command is null ? Found.Value.Reason : null;

    private static (FunctionsHostCommand?, string) Find()
    {
        var overridden = Environment.GetEnvironmentVariable(RunOverride);
        if (!string.IsNullOrEmpty(overridden))
        {
            return File.Exists(overridden)
                ? (new FunctionsHostCommand(FunctionsHostKind.HostBuild, Path.GetFullPath(overridden)), "")
                : (null, $"{RunOverride}={overridden} does not exist.");
        }

        var func = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "func.cmd" : "func"))
            .FirstOrDefault(File.Exists);
        if (func is not null)
        {
            return (new FunctionsHostCommand(FunctionsHostKind.Func, func), "");
        }

        var shared = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "tools", "functions-host", "run"));
        return File.Exists(shared)
            ? (new FunctionsHostCommand(FunctionsHostKind.HostBuild, shared), "")
            : (null, $"No Azure Functions host: `func` is not on PATH and {shared} is missing (or set {RunOverride}).");
    }
}

public enum FunctionsHostKind
{
    /// <summary>Azure Functions Core Tools: <c>func start --port N</c> in the app folder.</summary>
    Func,

    /// <summary>A script taking the app folder, listening on <c>ASPNETCORE_URLS</c> (shared/tools/functions-host/run).</summary>
    HostBuild,
}

public sealed record FunctionsHostCommand(FunctionsHostKind Kind, string Path)
{
    public override string ToString() => Kind == FunctionsHostKind.Func ? $"func start ({Path})" : Path;
}
