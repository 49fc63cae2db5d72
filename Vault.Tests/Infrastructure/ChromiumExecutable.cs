namespace Vault.Tests.Infrastructure;

/// <summary>Debian's Chromium, found on PATH: Playwright cannot download its own browsers on these machines.</summary>
public static class ChromiumExecutable
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = System.IO.Path.Combine(dir, "chromium");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("No chromium on PATH: install Debian's (apt-get install -y chromium); ./test does it when missing.");
    }
}
