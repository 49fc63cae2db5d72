using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Vault.Core.Errors;
using Vault.Core.Storage;

namespace Vault.Core.Items;

/// <summary>
/// Moves an account's item rows from the layout before buckets (every row in one partition, the account id) into its
/// bucket partitions (<see cref="ItemKeys"/>), on the first use of the account after the upgrade, so nothing has to be
/// run by hand and no account waits for the others. Every item-cache call of an account passes here first and goes on
/// only when the account has no row left in the old partition: so nothing writes the new layout while old rows remain,
/// and copying an old row can never overwrite a newer one. One instance moves (under a lease; a crashed mover's lease
/// expires), the others wait for it; rows are copied before they are removed, so a failure part-way loses nothing and
/// the next call finishes the move.
/// </summary>
public sealed class ItemLayoutMigration(TableLeases leases, ItemReadCache recent, ILogger<ItemLayoutMigration> logger)
{
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromMinutes(2);

    /// <summary>How long a call waits for another instance's move before it answers 503 (retry).</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(20);

    /// <summary>Accounts known to be moved, at most this many per instance (about 100 bytes each); forgetting costs one query.</summary>
    private const int MaxRemembered = 200_000;

    private readonly ConcurrentDictionary<string, bool> _current = new(StringComparer.Ordinal);

    public async ValueTask EnsureCurrentAsync(TableClient table, string accountId, CancellationToken ct)
    {
        if (_current.ContainsKey(accountId))
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        while (await HasLegacyRowsAsync(table, accountId, ct).ConfigureAwait(false))
        {
            var name = "items-layout|" + accountId;
            var holder = await leases.TryAcquireAsync(name, LeaseDuration, ct).ConfigureAwait(false);
            if (holder is not null)
            {
                try
                {
                    await MoveAsync(table, accountId, ct).ConfigureAwait(false);
                }
                finally
                {
                    await leases.ReleaseQuietlyAsync(name, holder).ConfigureAwait(false);
                }

                continue; // moved: the loop's check confirms the old partition is empty
            }

            if (waited.Elapsed >= MaxWait)
            {
                throw ApiErrors.VaultUnavailable("This account's cached items are being moved to a new storage layout; retry in a few seconds.",
                    TimeSpan.FromSeconds(5));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), ct).ConfigureAwait(false);
        }

        if (_current.Count >= MaxRemembered)
        {
            _current.Clear();
        }

        _current[accountId] = true;
    }

    private static async Task<bool> HasLegacyRowsAsync(TableClient table, string accountId, CancellationToken ct)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ItemKeys.LegacyPartition(accountId)}");
        await foreach (var _ in table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: ct).ConfigureAwait(false))
        {
            return true;
        }

        return false;
    }

    private async Task MoveAsync(TableClient table, string accountId, CancellationToken ct)
    {
        var actions = new List<TableTransactionAction>();
        var removes = new List<TableTransactionAction>();
        var unreadable = 0;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {ItemKeys.LegacyPartition(accountId)}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct).ConfigureAwait(false))
        {
            removes.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All));
            string itemId;
            try
            {
                itemId = ItemStore.ToItem(row).ItemId;
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.Text.Json.JsonException or ArgumentException)
            {
                unreadable++; // a row no read could ever use: not carried over
                continue;
            }

            var moved = new TableEntity(row) { PartitionKey = ItemKeys.Partition(accountId, itemId), ETag = default };
            moved.Remove("Timestamp"); // the service's own; a write sets a new one
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, moved));
        }

        try
        {
            // Upserts (the copies) complete before any delete (the originals) starts.
            await ItemStore.SubmitAsync(table, [.. actions, .. removes], ct).ConfigureAwait(false);
        }
        finally
        {
            await recent.MarkChangedAsync(accountId, CancellationToken.None).ConfigureAwait(false);
        }

        logger.LogInformation("Moved {Count} item rows of account {AccountId} to the bucketed layout ({Unreadable} unreadable rows dropped)",
            actions.Count, accountId, unreadable);
    }
}
