using System.Diagnostics;
using System.Net.Sockets;

namespace Vault.Tests.Infrastructure;

/// <summary>
/// An Azurite of a test's own, persisted on disk, on free loopback ports, that the test can stop and start again
/// (same ports, same data) to fail storage in the middle of a flow.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly string _location = Path.Combine(Path.GetTempPath(), "vault-azurite-" + Guid.NewGuid().ToString("N"));
    private readonly int _blob = AzuriteStorage.FreePort();
    private readonly int _queue = AzuriteStorage.FreePort();
    private readonly int _table = AzuriteStorage.FreePort();
    private Process? _process;

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{_blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{_queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{_table}/devstoreaccount1;";

    public static async Task<AzuriteProcess> StartAsync()
    {
        var azurite = new AzuriteProcess();
        Directory.CreateDirectory(azurite._location);
        await azurite.StartAgainAsync();
        return azurite;
    }

    public async Task StartAgainAsync()
    {
        var script = Path.Combine(RepoPaths.Root, "node_modules", "azurite", "dist", "src", "azurite.js");
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                script, "--location", _location, "--skipApiVersionCheck", "--loose", "--silent",
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                "--blobPort", _blob.ToString(), "--queuePort", _queue.ToString(), "--tablePort", _table.ToString(),
            },
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!IsListening(_table) || !IsListening(_queue))
        {
            if (_process.HasExited || limit.IsCancellationRequested)
            {
                throw new InvalidOperationException("Azurite did not start (exit code " + (_process.HasExited ? _process.ExitCode : -1) + ").");
            }

            await Task.Delay(50);
        }

    }

    /// <summary>Stops Azurite the way an operator would (SIGTERM: it saves its data and closes its ports).</summary>
    public Task StopAsync() => StopAsync(graceful: true);

    private async Task StopAsync(bool graceful)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        if (graceful)
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString()]))
            {
                await kill.WaitForExitAsync();
            }

            // It waits for open keep-alive connections to close; past its 5 s autosave, everything written is on disk,
            // so then it is stopped hard.
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                graceful = false;
            }
        }

        if (!graceful)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        _process = null;
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(graceful: false);
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
