using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Connections;

/// <summary>
/// Connections in Table Storage (partition = account). The 2-connection rule is enforced by slot rows
/// (<c>slot|0</c>, <c>slot|1</c>) created with insert-if-absent, so two concurrent connects cannot both take the last slot.
/// </summary>
public sealed class ConnectionStore(Tables tables)
{
    public const int MaxConnections = 2;
    private const string ConnectionPrefix = "conn|";

    public async Task<List<Connection>> ListAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var result = new List<Connection>();
        await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, ConnectionPrefix), cancellationToken: ct).ConfigureAwait(false))
        {
            result.Add(FromEntity(entity));
        }

        return result.OrderBy(c => c.CreatedAt).ThenBy(c => c.ConnectionId, StringComparer.Ordinal).ToList();
    }

    public async Task<Connection?> GetAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(accountId, ConnectionPrefix + TableKeys.Escape(connectionId), cancellationToken: ct).ConfigureAwait(false);
        return entity.HasValue ? FromEntity(entity.Value!) : null;
    }

    public async Task<bool> AnyAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        await foreach (var _ in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, ConnectionPrefix), maxPerPage: 1, select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    /// <summary>Reserves a free slot for a new connection; null when all are taken.</summary>
    public async Task<int?> TryReserveSlotAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        for (var slot = 0; slot < MaxConnections; slot++)
        {
            try
            {
                await table.AddEntityAsync(new TableEntity(accountId, SlotRow(slot)) { ["ConnectionId"] = connectionId }, ct).ConfigureAwait(false);
                return slot;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
            }
        }

        return null;
    }

    public async Task ReleaseSlotAsync(string accountId, int slot, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        await table.DeleteEntityAsync(accountId, SlotRow(slot), ETag.All, ct).ConfigureAwait(false);
    }

    public async Task SaveAsync(Connection connection, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        await table.UpsertEntityAsync(ToEntity(connection), TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    public async Task DeleteAsync(Connection connection, CancellationToken ct)
    {
        var table = await tables.ConnectionsAsync(ct).ConfigureAwait(false);
        await table.DeleteEntityAsync(connection.AccountId, ConnectionPrefix + TableKeys.Escape(connection.ConnectionId), ETag.All, ct).ConfigureAwait(false);
        await table.DeleteEntityAsync(connection.AccountId, SlotRow(connection.Slot), ETag.All, ct).ConfigureAwait(false);
    }

    private static string SlotRow(int slot) => "slot|" + slot.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(Connection c) => new(c.AccountId, ConnectionPrefix + TableKeys.Escape(c.ConnectionId))
    {
        ["ConnectionId"] = c.ConnectionId,
        ["Provider"] = c.Provider,
        ["Status"] = c.Status,
        ["Label"] = c.Label,
        ["ServerUrl"] = c.ServerUrl,
        ["ItemCount"] = c.ItemCount,
        ["Vaults"] = JsonSerializer.Serialize(c.Vaults.ToList(), CoreJson.Default.ListString),
        ["CreatedAt"] = c.CreatedAt,
        ["LastSyncedAt"] = c.LastSyncedAt,
        ["LastError"] = c.LastError is null ? null : JsonSerializer.Serialize(c.LastError, CoreJson.Default.ConnectionError),
        ["IdentityHash"] = c.IdentityHash,
        ["Slot"] = c.Slot,
    };

    private static Connection FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("ConnectionId"),
        e.GetString("Provider"),
        e.GetString("Status"),
        e.GetString("Label") ?? string.Empty,
        e.GetString("ServerUrl"),
        e.GetInt32("ItemCount") ?? 0,
        JsonSerializer.Deserialize(e.GetString("Vaults") ?? "[]", CoreJson.Default.ListString) ?? [],
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("LastSyncedAt"),
        e.GetString("LastError") is { } error ? JsonSerializer.Deserialize(error, CoreJson.Default.ConnectionError) : null,
        e.GetString("IdentityHash") ?? string.Empty,
        e.GetInt32("Slot") ?? 0);
}
