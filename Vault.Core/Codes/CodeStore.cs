using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Codes;

/// <summary>
/// Received codes in Table Storage, partitioned by run, row keys in arrival order (so "after the cursor" is one range
/// query). Each row holds only what was found in the message (code, link, sender, subject), sealed under
/// <see cref="CodeKey"/> and bound to its run and row; the message itself is never stored.
/// </summary>
public sealed class CodeStore(Tables tables, CodeKey codeKey)
{
    public async Task AddAsync(string runId, ReceivedCode code, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var table = await tables.CodesAsync(ct).ConfigureAwait(false);
        var key = await codeKey.GetAsync(ct).ConfigureAwait(false);
        var rowKey = RowKeyOf(code);
        var payload = JsonSerializer.SerializeToUtf8Bytes(code, CodeJson.Default.ReceivedCode);
        await table.AddEntityAsync(new TableEntity(runId, rowKey)
        {
            ["Sealed"] = CodeKey.Seal(key, payload, Aad(runId, rowKey)),
            ["ExpiresAt"] = expiresAt,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The run's kept codes after <paramref name="afterRowKey"/>, oldest first; expired rows are skipped and removed.</summary>
    public async Task<List<(string RowKey, ReceivedCode Code)>> ReadAfterAsync(string runId, string? afterRowKey, DateTimeOffset now, int max, CancellationToken ct)
    {
        var table = await tables.CodesAsync(ct).ConfigureAwait(false);
        var key = await codeKey.GetAsync(ct).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {runId}");
        if (afterRowKey is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"RowKey gt {afterRowKey}");
        }

        var found = new List<(string, ReceivedCode)>();
        var expired = new List<string>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: max + 10, cancellationToken: ct).ConfigureAwait(false))
        {
            if ((entity.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue) <= now)
            {
                expired.Add(entity.RowKey);
                continue;
            }

            try
            {
                var code = JsonSerializer.Deserialize(CodeKey.Open(key, entity.GetBinary("Sealed") ?? [], Aad(runId, entity.RowKey)), CodeJson.Default.ReceivedCode);
                if (code is not null)
                {
                    found.Add((entity.RowKey, code));
                }
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Sealed under a key that is no longer the service's (see CodeKey), or altered: not a code.
            }

            if (found.Count >= max)
            {
                break;
            }
        }

        foreach (var rowKey in expired)
        {
            await table.DeleteEntityAsync(runId, rowKey, ETag.All, ct).ConfigureAwait(false);
        }

        return found;
    }

    /// <summary>Removes every code of the run (a revoke).</summary>
    public async Task DropAsync(string runId, CancellationToken ct)
    {
        var table = await tables.CodesAsync(ct).ConfigureAwait(false);
        await foreach (var entity in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {runId}"), select: ["PartitionKey", "RowKey"],
            cancellationToken: ct).ConfigureAwait(false))
        {
            await table.DeleteEntityAsync(runId, entity.RowKey, ETag.All, ct).ConfigureAwait(false);
        }
    }

    public static string RowKeyOf(ReceivedCode code) =>
        code.ReceivedAt.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "-" + code.Id;

    public static string NewId() => "code-" + Ids.RandomBase32(10);

    private static string Aad(string runId, string rowKey) => $"vault-code|{runId}|{rowKey}";
}

[System.Text.Json.Serialization.JsonSerializable(typeof(ReceivedCode))]
internal sealed partial class CodeJson : System.Text.Json.Serialization.JsonSerializerContext;
