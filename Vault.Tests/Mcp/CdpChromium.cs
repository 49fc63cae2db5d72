using System.Diagnostics;

namespace Vault.Tests.Mcp;

/// <summary>
/// Chromium started as an agent platform starts its browser: its own process with a DevTools port, which
/// <c>vault mcp --cdp</c> attaches to. The port is the one Chromium chose and wrote to DevToolsActivePort.
/// </summary>
public sealed class CdpChromium : IAsyncDisposable
{
    private readonly Process process;
    private readonly string profile;

    private CdpChromium(Process process, string profile, string endpoint)
    {
        this.process = process;
        this.profile = profile;
        Endpoint = endpoint;
    }

    /// <summary>The DevTools endpoint, <c>http://127.0.0.1:port</c>.</summary>
    public string Endpoint { get; }

    public static async Task<CdpChromium> StartAsync(string executable, IEnumerable<string> extraArgs)
    {
        var profile = Directory.CreateTempSubdirectory("vault-cdp-").FullName;
        var start = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                     "--user-data-dir=" + profile,
                 }.Concat(extraArgs).Append("about:blank"))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var portFile = Path.Combine(profile, "DevToolsActivePort");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (File.Exists(portFile) && (await File.ReadAllLinesAsync(portFile)) is [var port, ..] && port.Length > 0)
            {
                return new CdpChromium(process, profile, "http://127.0.0.1:" + port.Trim());
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException("Chromium did not open its DevTools port");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium's last writes can race the delete; the temp folder is cleaned by the system.
        }
    }
}
