using System.Text.Json;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Runs;

/// <summary>The audit log of credential access: one row per call, written before any secret leaves.</summary>
public sealed class AuditLog(Tables tables, GroupedInserts inserts)
{
    public async Task RecordAsync(Run run, IReadOnlyList<string> itemIds, string? domain, RunCaller caller, DateTimeOffset at, CancellationToken ct)
    {
        var table = await tables.AuditAsync(ct).ConfigureAwait(false);
        // Newest first within a run: the row key counts down.
        var rowKey = (DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", System.Globalization.CultureInfo.InvariantCulture) + "-" + Ids.RandomBase32(10); // 50 random bits: a key already taken can only be this write's own earlier try
        // Concurrent reads of one run are written together; each call still waits for its own row.
        await inserts.InsertAsync(table, new TableEntity(run.RunId, rowKey)
        {
            ["AccountId"] = run.AccountId,
            ["At"] = at,
            ["ItemIds"] = JsonSerializer.Serialize(itemIds.ToList(), RunJson.Default.ListString),
            ["Domain"] = domain,
            ["RemoteAddress"] = caller.RemoteAddress,
            ["UserAgent"] = caller.UserAgent is { Length: > 200 } ua ? ua[..200] : caller.UserAgent,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>A page of the run's trail, newest first (one range query).</summary>
    public async Task<AuditPage> ReadPageAsync(string runId, int limit, string? pageToken, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId}");
        if (pageToken is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {DecodePageToken(pageToken)}");
        }

        var table = await tables.AuditAsync(ct).ConfigureAwait(false);
        var entries = new List<AuditEntry>(limit);
        string? lastKey = null;
        var more = false;
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: ct).ConfigureAwait(false))
        {
            if (entries.Count == limit)
            {
                more = true;
                break;
            }

            entries.Add(new AuditEntry(entity.GetDateTimeOffset("At") ?? DateTimeOffset.MinValue,
                JsonSerializer.Deserialize(entity.GetString("ItemIds") ?? "[]", RunJson.Default.ListString) ?? [], entity.GetString("Domain"),
                new RunCaller(entity.GetString("RemoteAddress"), entity.GetString("UserAgent"))));
            lastKey = entity.RowKey;
        }

        return new AuditPage(entries, more && lastKey is not null ? Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(PageTokenPrefix + lastKey)) : null);
    }

    private const string PageTokenPrefix = "audit|";

    private static string DecodePageToken(string token)
    {
        var bytes = token.Length <= 200 ? Base64Url.TryDecode(token) : null;
        var key = bytes is null ? null : System.Text.Encoding.UTF8.GetString(bytes);
        if (key is null || !key.StartsWith(PageTokenPrefix, StringComparison.Ordinal) ||
            key.AsSpan(PageTokenPrefix.Length).IndexOfAnyExcept("0123456789abcdefghijklmnopqrstuvwxyz-") >= 0)
        {
            throw new Errors.InvalidCommandException(Errors.CommandParameters.PageToken, "is not a page token of this run's audit trail.");
        }

        return key[PageTokenPrefix.Length..];
    }
}
