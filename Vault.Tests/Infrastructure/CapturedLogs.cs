using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vault.Tests.Infrastructure;

/// <summary>Captures every log line (message, state values and exception text) so tests can search them for secrets.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The secrets found in the captured logs (empty when none leaked).</summary>
    public IReadOnlyList<string> Leaked(params string[] secrets)
    {
        var all = All;
        return secrets.Where(s => !string.IsNullOrEmpty(s) && all.Contains(s, StringComparison.Ordinal)).ToList();
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull
        {
            owner._lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            var line = $"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}";
            owner._lines.Enqueue(line);
            // Debugging aid: VAULT_DEBUG_LOG=/path mirrors every line, timestamped, to a file.
            if (Environment.GetEnvironmentVariable("VAULT_DEBUG_LOG") is { Length: > 0 } file)
            {
                lock (owner) { File.AppendAllText(file, DateTime.UtcNow.ToString("HH:mm:ss.fff ") + line + "\n"); }
            }
        }
    }
}
