using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace Vault.Benchmarks;

/// <summary>
/// Counts the Table and Queue requests the service's Azure clients send (each one a storage operation), and the table
/// rows their answers carry (a query's page of <c>value</c>, or one for a point read).
/// </summary>
public sealed class StorageCallCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentDictionary<string, int> _rows = new(StringComparer.Ordinal);

    public override void OnSendingRequest(HttpMessage message) =>
        _calls.Enqueue($"{message.Request.Method} {message.Request.Uri.Path}");

    public override void OnReceivedResponse(HttpMessage message)
    {
        if (message.Request.Method != RequestMethod.Get || message.Response.Status != 200 || message.Response.Content is not { } content)
        {
            return;
        }

        var resource = ResourceOf(message.Request.Uri.Path);
        var path = message.Request.Uri.Path;
        if (path.Contains('(', StringComparison.Ordinal) && path.Contains("PartitionKey=", StringComparison.Ordinal))
        {
            _rows.AddOrUpdate(resource, 1, (_, n) => n + 1); // a point read
            return;
        }

        try
        {
            using var json = JsonDocument.Parse(content.ToMemory());
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("value", out var rows) && rows.ValueKind == JsonValueKind.Array)
            {
                var count = rows.GetArrayLength();
                _rows.AddOrUpdate(resource, count, (_, n) => n + count);
            }
        }
        catch (JsonException)
        {
            // a queue's XML answer: no table rows
        }
    }

    public void Reset()
    {
        _calls.Clear();
        _rows.Clear();
    }

    public int Count => _calls.Count;

    /// <summary>Table rows read from tables whose name ends with <paramref name="tableSuffix"/> (the prefix is the run's).</summary>
    public int RowsRead(string tableSuffix) => _rows.Where(r => r.Key.EndsWith(tableSuffix, StringComparison.Ordinal)).Sum(r => r.Value);

    /// <summary>Rows read by table, e.g. "connections 10000, resyncdue 12".</summary>
    public string RowSummary() => string.Join(", ", _rows.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"));

    /// <summary>Calls by method and table (or queue), e.g. "GET connections 2, PUT leases 1".</summary>
    public string Summary() => string.Join(", ", _calls
        .Select(c =>
        {
            var (method, path) = (c[..c.IndexOf(' ', StringComparison.Ordinal)], c[(c.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            return $"{method} {ResourceOf(path)}";
        })
        .GroupBy(kind => kind, StringComparer.Ordinal)
        .Select(g => $"{g.Key} {g.Count()}"));

    public void AddTo(IServiceCollection services) =>
        services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(this, HttpPipelinePosition.PerCall)));

    private static string ResourceOf(string path)
    {
        var resource = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault() ?? path;
        var paren = resource.IndexOf('(', StringComparison.Ordinal);
        return paren >= 0 ? resource[..paren] : resource;
    }
}
