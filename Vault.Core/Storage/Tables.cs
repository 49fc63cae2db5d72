using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;

namespace Vault.Core.Storage;

/// <summary>The service's tables. Each is created once per process on first use.</summary>
public sealed class Tables(TableServiceClient service, IOptions<VaultOptions> options)
{
    private readonly string _prefix = options.Value.TablePrefix;
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> _clients = new();

    public Task<TableClient> AccountsAsync(CancellationToken ct = default) => GetAsync("accounts", ct);
    public Task<TableClient> ApiKeysAsync(CancellationToken ct = default) => GetAsync("apikeys", ct);
    public Task<TableClient> ConnectionsAsync(CancellationToken ct = default) => GetAsync("connections", ct);
    public Task<TableClient> ItemsAsync(CancellationToken ct = default) => GetAsync("items", ct);
    public Task<TableClient> StampsAsync(CancellationToken ct = default) => GetAsync("stamps", ct);
    public Task<TableClient> UsageAsync(CancellationToken ct = default) => GetAsync("usage", ct);
    public Task<TableClient> LeasesAsync(CancellationToken ct = default) => GetAsync("leases", ct);
    public Task<TableClient> RunsAsync(CancellationToken ct = default) => GetAsync("runs", ct);
    public Task<TableClient> AuditAsync(CancellationToken ct = default) => GetAsync("audit", ct);
    public Task<TableClient> BudgetsAsync(CancellationToken ct = default) => GetAsync("budgets", ct);
    public Task<TableClient> ResyncDueAsync(CancellationToken ct = default) => GetAsync("resyncdue", ct);
    public Task<TableClient> LocalSecretsAsync(CancellationToken ct = default) => GetAsync("localsecrets", ct);
    public Task<TableClient> CodesAsync(CancellationToken ct = default) => GetAsync("codes", ct);
    public Task<TableClient> InboxAsync(CancellationToken ct = default) => GetAsync("inbox", ct);

    private async Task<TableClient> GetAsync(string name, CancellationToken ct)
    {
        var lazy = _clients.GetOrAdd(name, n => new Lazy<Task<TableClient>>(() => CreateAsync(_prefix + n)));
        try
        {
            return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // Storage was down at first use: let the next call try again instead of caching the failure.
            _clients.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(name, lazy));
            throw;
        }
    }

    private async Task<TableClient> CreateAsync(string tableName)
    {
        var client = service.GetTableClient(tableName);
        try
        {
            await client.CreateIfNotExistsAsync().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Created concurrently by another instance.
        }

        return client;
    }
}

/// <summary>Helpers for Table Storage keys and queries.</summary>
public static class TableKeys
{
    /// <summary>Upper bound for a prefix range query: every key starting with <paramref name="prefix"/> is below it.</summary>
    public static string PrefixEnd(string prefix) => prefix + "\uffff";

    public static string PrefixFilter(string partitionKey, string prefix) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey} and RowKey ge {prefix} and RowKey lt {PrefixEnd(prefix)}");

    /// <summary>Characters Table Storage refuses in keys are percent-encoded.</summary>
    public static string Escape(string value)
    {
        if (value.AsSpan().IndexOfAny("/\\#?%") < 0 && !value.Any(char.IsControl))
        {
            return value;
        }

        var builder = new System.Text.StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
