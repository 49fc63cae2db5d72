using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;

namespace Vault.Benchmarks;

/// <summary>Counts the Table and Queue requests the service's Azure clients send (each one a storage operation).</summary>
public sealed class StorageCallCounter : HttpPipelineSynchronousPolicy
{
    private readonly ConcurrentQueue<string> _calls = new();

    public override void OnSendingRequest(HttpMessage message) =>
        _calls.Enqueue($"{message.Request.Method} {message.Request.Uri.Path}");

    public void Reset() => _calls.Clear();

    public int Count => _calls.Count;

    /// <summary>Calls by method and table (or queue), e.g. "GET connections 2, PUT leases 1".</summary>
    public string Summary() => string.Join(", ", _calls
        .Select(c =>
        {
            var (method, path) = (c[..c.IndexOf(' ', StringComparison.Ordinal)], c[(c.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
            var resource = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1).FirstOrDefault() ?? path;
            var paren = resource.IndexOf('(', StringComparison.Ordinal);
            return $"{method} {(paren >= 0 ? resource[..paren] : resource)}";
        })
        .GroupBy(kind => kind, StringComparer.Ordinal)
        .Select(g => $"{g.Key} {g.Count()}"));

    public void AddTo(IServiceCollection services) =>
        services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(this, HttpPipelinePosition.PerCall)));
}
