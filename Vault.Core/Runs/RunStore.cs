using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Runs;

/// <summary>
/// Runs in Table Storage, partitioned by run id so the agent runtime's call (run id + token, no account) is a point
/// read. The grant is written in chunk rows (<c>grant|0000</c>…) beside the run row, in one entity-group transaction.
/// </summary>
public sealed class RunStore(Tables tables)
{
    private const string RunRow = "run";
    private const string GrantPrefix = "grant|";
    private const int PerChunk = 200;

    public async Task AddAsync(Run run, string tokenHash, CancellationToken ct)
    {
        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        var actions = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, new TableEntity(run.RunId, RunRow)
            {
                ["AccountId"] = run.AccountId,
                ["Status"] = run.Status,
                ["Url"] = run.Url,
                ["GrantAll"] = run.GrantAll,
                ["TokenHash"] = tokenHash,
                ["CreatedAt"] = run.CreatedAt,
                ["ExpiresAt"] = run.ExpiresAt,
                ["Chunks"] = (run.Credentials.Count + PerChunk - 1) / PerChunk,
            }),
        };
        for (var i = 0; i * PerChunk < run.Credentials.Count; i++)
        {
            var chunk = run.Credentials.Skip(i * PerChunk).Take(PerChunk).ToList();
            actions.Add(new(TableTransactionActionType.Add, new TableEntity(run.RunId, GrantPrefix + i.ToString("D4", System.Globalization.CultureInfo.InvariantCulture))
            {
                ["Credentials"] = JsonSerializer.Serialize(chunk, RunJson.Default.ListGrantedCredential),
            }));
        }

        for (var i = 0; i < actions.Count; i += 100)
        {
            await table.SubmitTransactionAsync(actions.Skip(i).Take(100), ct).ConfigureAwait(false);
        }
    }

    /// <summary>The run and its token hash, or null.</summary>
    public async Task<(Run Run, string TokenHash)?> GetAsync(string runId, CancellationToken ct)
    {
        if (runId.Length > 64 || runId.AsSpan().IndexOfAny("/\\#?'") >= 0)
        {
            return null;
        }

        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        TableEntity? head = null;
        var credentials = new List<GrantedCredential>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {runId}"), cancellationToken: ct).ConfigureAwait(false))
        {
            if (entity.RowKey == RunRow)
            {
                head = entity;
            }
            else if (entity.RowKey.StartsWith(GrantPrefix, StringComparison.Ordinal))
            {
                credentials.AddRange(JsonSerializer.Deserialize(entity.GetString("Credentials"), RunJson.Default.ListGrantedCredential) ?? []);
            }
        }

        if (head is null)
        {
            return null;
        }

        var run = new Run(runId, head.GetString("AccountId"), head.GetString("Status"), head.GetString("Url"), head.GetBoolean("GrantAll") ?? false,
            credentials, head.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue, head.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue);
        return (run, head.GetString("TokenHash"));
    }
}

/// <summary>The audit log of credential access: one row per call, written before any secret leaves.</summary>
public sealed class AuditLog(Tables tables)
{
    public async Task RecordAsync(Run run, IReadOnlyList<string> itemIds, string? domain, RunCaller caller, DateTimeOffset at, CancellationToken ct)
    {
        var table = await tables.AuditAsync(ct).ConfigureAwait(false);
        // Newest first within a run: the row key counts down.
        var rowKey = (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "-" + Ids.RandomBase32(5);
        await table.AddEntityAsync(new TableEntity(run.RunId, rowKey)
        {
            ["AccountId"] = run.AccountId,
            ["At"] = at,
            ["ItemIds"] = JsonSerializer.Serialize(itemIds.ToList(), RunJson.Default.ListString),
            ["Domain"] = domain,
            ["RemoteAddress"] = caller.RemoteAddress,
            ["UserAgent"] = caller.UserAgent is { Length: > 200 } ua ? ua[..200] : caller.UserAgent,
        }, ct).ConfigureAwait(false);
    }

    public async Task<List<TableEntity>> ReadAsync(string runId, CancellationToken ct)
    {
        var table = await tables.AuditAsync(ct).ConfigureAwait(false);
        var rows = new List<TableEntity>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {runId}"), cancellationToken: ct).ConfigureAwait(false))
        {
            rows.Add(entity);
        }

        return rows;
    }
}
