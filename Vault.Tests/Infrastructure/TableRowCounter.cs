using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace Vault.Tests.Infrastructure;

/// <summary>
/// Counts the table rows the service's Azure clients read, per table: a query page's <c>value</c> entries, or one per
/// point read that found its row. Registered on a test host with <see cref="AddTo"/>.
/// </summary>
public sealed class TableRowCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentDictionary<string, int> _rows = new(StringComparer.Ordinal);

    public override void OnReceivedResponse(HttpMessage message)
    {
        if (message.Request.Method != RequestMethod.Get || message.Response.Status != 200 || message.Response.Content is not { } content)
        {
            return;
        }

        var path = message.Request.Uri.Path;
        var resource = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault() ?? path;
        var table = resource.Contains('(', StringComparison.Ordinal) ? resource[..resource.IndexOf('(', StringComparison.Ordinal)] : resource;
        if (resource.Contains("PartitionKey=", StringComparison.Ordinal))
        {
            _rows.AddOrUpdate(table, 1, (_, n) => n + 1);
            return;
        }

        try
        {
            using var json = JsonDocument.Parse(content.ToMemory());
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("value", out var rows) && rows.ValueKind == JsonValueKind.Array)
            {
                _rows.AddOrUpdate(table, rows.GetArrayLength(), (_, n) => n + rows.GetArrayLength());
            }
        }
        catch (JsonException)
        {
            // not a table answer (a queue's XML)
        }
    }

    public void Reset() => _rows.Clear();

    /// <summary>Rows read from the table named <paramref name="prefix"/> + <paramref name="table"/>.</summary>
    public int RowsRead(string prefix, string table) => _rows.TryGetValue(prefix + table, out var n) ? n : 0;

    public void AddTo(IServiceCollection services) =>
        services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(this, HttpPipelinePosition.PerCall)));
}
