using System.Collections.Concurrent;
using System.Diagnostics;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.FunctionsHost;

/// <summary>A Functions host process serving a built app on a free loopback port, with every line it prints kept.</summary>
public sealed class FunctionsHostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter _logFile;
    private bool _closed;

    private FunctionsHostProcess(Process process, Uri baseAddress, string logPath)
    {
        _process = process;
        BaseAddress = baseAddress;
        LogPath = logPath;
        _logFile = new StreamWriter(logPath) { AutoFlush = true };
    }

    public Uri BaseAddress { get; }

    /// <summary>The host's console output, kept on disk for a failed run (under .local/).</summary>
    public string LogPath { get; }

    /// <summary>Everything the host printed so far: its own log and the worker's, forwarded by the host.</summary>
    public string Log => string.Join('\n', _lines);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the host on the app folder (the build or publish output of Vault.Functions) with these app settings.</summary>
    public static FunctionsHostProcess Start(FunctionsHostCommand command, string appDirectory, IReadOnlyDictionary<string, string> settings, string name)
    {
        var port = AzuriteStorage.FreePort();
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (command.Kind == FunctionsHostKind.Func)
        {
            start.FileName = command.Path;
            start.WorkingDirectory = appDirectory;
            start.ArgumentList.Add("start");
            start.ArgumentList.Add("--port");
            start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            start.FileName = "bash";
            start.ArgumentList.Add(command.Path);
            start.ArgumentList.Add(appDirectory);
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var logDirectory = Path.Combine(RepoPaths.Root, ".local");
        Directory.CreateDirectory(logDirectory);
        var process = new Process { StartInfo = start };
        var host = new FunctionsHostProcess(process, new Uri($"http://127.0.0.1:{port}"), Path.Combine(logDirectory, $"functions-host-{name}.log"));
        process.OutputDataReceived += (_, e) => host.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => host.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => host.Kill();
        return host;
    }

    /// <summary>Adds a line of the test's own to the log file (marked as such), e.g. how long the start took.</summary>
    public void Note(string text) => Keep("[test] " + text);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        lock (_logFile)
        {
            if (!_closed)
            {
                _logFile.WriteLine(line);
            }
        }
    }

    /// <summary>Waits until the log shows a line containing <paramref name="text"/>; false at the deadline or when the host exits.</summary>
    public async Task<bool> WaitForLogAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.Any(l => l.Contains(text, StringComparison.Ordinal)))
            {
                return true;
            }

            if (_process.HasExited)
            {
                return _lines.Any(l => l.Contains(text, StringComparison.Ordinal));
            }

            await Task.Delay(200);
        }

        return false;
    }

    /// <summary>Waits until <paramref name="path"/> answers 200; throws with the log's tail when the host exits or the deadline passes.</summary>
    public async Task WaitUntilServingAsync(string path, TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The Functions host exited ({_process.ExitCode}) before serving {path}. Log: {LogPath}\n{Tail()}");
            }

            try
            {
                using var response = await client.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The Functions host did not serve {path} within {timeout}. Log: {LogPath}\n{Tail()}");
            }

            await Task.Delay(250);
        }
    }

    public string Tail(int lines = 60) => string.Join('\n', _lines.TakeLast(lines));

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                // The host does not always stop on SIGTERM once its worker has failed; the whole tree goes (host, worker).
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
        lock (_logFile)
        {
            _closed = true;
            _logFile.Dispose();
        }
    }
}
