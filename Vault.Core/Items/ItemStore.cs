using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Items;

/// <summary>An item row as stored: the item, its sealed secrets (id row only) and its fingerprint.</summary>
public sealed record StoredItem(CachedItem Item, string Fingerprint, byte[]? SealedSecrets)
{
    /// <summary>The id row's ETag when read from the table (for conditional rewrites); default when made in memory.</summary>
    public ETag ETag { get; init; }

    public string SortKey => ItemKeys.SortKey(Item.Data.VaultName, Item.Data.Label, Item.ItemId);
}

public sealed record ItemQuery(string? Domain, string? ConnectionId, string? Vault, bool? Enabled, int Limit, string? PageToken);

public sealed record ItemPage(IReadOnlyList<CachedItem> Items, string? NextPageToken);

/// <summary>One row of the item cache: its partition (the item's bucket) and row key.</summary>
public readonly record struct ItemRow(string PartitionKey, string RowKey);

/// <summary>
/// The item cache in Table Storage (see <see cref="ItemKeys"/> for the layout). The hot range reads go through
/// <see cref="ItemReadCache"/>, so every write here ends by marking the account changed. Every call first makes sure the
/// account's rows are in the current layout (<see cref="ItemLayoutMigration"/>).
/// </summary>
public sealed class ItemStore(Tables tables, ItemReadCache recent, ItemLayoutMigration layout)
{
    private static readonly string[] ListColumns = ["RowKey", "ItemId", "ConnectionId", "Enabled", "Data"];

    public async Task<List<StoredItem>> LoadConnectionAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        var prefix = ItemKeys.ConnectionIdPrefix(connectionId);
        var buckets = await EachBucketAsync(accountId, partition => ReadAllAsync(table, TableKeys.PrefixFilter(partition, prefix), null, ToStored, ct))
            .ConfigureAwait(false);
        return buckets.SelectMany(b => b).ToList();
    }

    public async Task<StoredItem?> GetAsync(string accountId, string itemId, CancellationToken ct)
    {
        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(ItemKeys.Partition(accountId, itemId), ItemKeys.IdRow(itemId), cancellationToken: ct)
            .ConfigureAwait(false);
        return entity.HasValue ? ToStored(entity.Value!) : null;
    }

    /// <summary>The items of these ids that exist, in the order given (point reads, a few at a time).</summary>
    public async Task<List<StoredItem>> GetManyAsync(string accountId, IReadOnlyList<string> itemIds, CancellationToken ct)
    {
        var found = new StoredItem?[itemIds.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, itemIds.Count), new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct },
            async (i, token) => found[i] = await GetAsync(accountId, itemIds[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        return found.OfType<StoredItem>().ToList();
    }

    /// <summary>
    /// The items with a row under this registrable domain, each with the sealed secrets its domain row carries (null
    /// when the row carries none: read the id row), in list order: one range query per bucket.
    /// </summary>
    public async Task<List<StoredItem>> ByDomainAsync(string accountId, string registrableDomain, CancellationToken ct)
    {
        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        var items = await recent.GetOrReadAsync(accountId, new DomainRead(registrableDomain), async () =>
        {
            var prefix = ItemKeys.DomainRangePrefix(registrableDomain);
            var buckets = await EachBucketAsync(accountId, partition => ReadAllAsync(table, TableKeys.PrefixFilter(partition, prefix), [.. ListColumns, "Secrets"],
                entity => (entity.RowKey, Stored: new StoredItem(ToItem(entity), string.Empty, entity.GetBinary("Secrets"))), ct)).ConfigureAwait(false);
            return InRowKeyOrder(buckets).Select(row => row.Value).ToArray();
        }, read => read.Length, ct).ConfigureAwait(false);
        return [.. items];
    }

    /// <summary>One page of the cache: one range query per bucket, merged in list order.</summary>
    public async Task<ItemPage> QueryAsync(string accountId, ItemQuery query, CancellationToken ct)
    {
        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        return await recent.GetOrReadAsync(accountId, query, () => ReadPageAsync(table, accountId, query, ct), page => page.Items.Count, ct)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// The first <see cref="ItemQuery.Limit"/> matches after the page token over all buckets: a merge of one range query
    /// per bucket, each read in small pages and only as far as the merge takes from it, so a page of 100 reads about
    /// 100 rows plus one small page per bucket rather than 100 from every bucket.
    /// </summary>
    private static async Task<ItemPage> ReadPageAsync(TableClient table, string accountId, ItemQuery query, CancellationToken ct)
    {
        var prefix = query.Domain is null ? ItemKeys.OrderPrefix : ItemKeys.DomainRangePrefix(query.Domain);
        if (query.Vault is not null)
        {
            prefix += ItemKeys.VaultSortPrefix(query.Vault);
        }

        var lowerBound = "RowKey ge '" + Escape(prefix) + "'";
        if (query.PageToken is not null)
        {
            var after = DecodePageToken(query.PageToken, prefix);
            lowerBound = "RowKey gt '" + Escape(after) + "'";
        }

        var conditions = $" and {lowerBound} and RowKey lt '{Escape(TableKeys.PrefixEnd(prefix))}'";
        if (query.ConnectionId is not null)
        {
            conditions += $" and ConnectionId eq '{Escape(query.ConnectionId)}'";
        }

        if (query.Enabled is { } enabled)
        {
            conditions += enabled ? " and Enabled eq true" : " and Enabled eq false";
        }

        // The vault prefix is of the lower-cased name, truncated: rows of another exact name are skipped.
        bool Wanted(CachedItem item) => query.Vault is null || item.Data.VaultName == query.Vault;
        var wanted = query.Limit + 1;
        var pageSize = Math.Min(1000, Math.Max(4, 2 * ((wanted + ItemKeys.Buckets - 1) / ItemKeys.Buckets)));
        var heads = ItemKeys.Partitions(accountId)
            .Select(partition => table.QueryAsync<TableEntity>($"PartitionKey eq '{Escape(partition)}'" + conditions, maxPerPage: pageSize, select: ListColumns,
                cancellationToken: ct).GetAsyncEnumerator(ct))
            .ToList();
        try
        {
            var live = (await Task.WhenAll(heads.Select(head => NextWantedAsync(head, Wanted))).ConfigureAwait(false))
                .Select((found, i) => (Head: heads[i], Row: found)).Where(h => h.Row is not null).ToList();
            var merged = new List<(string RowKey, CachedItem Item)>(wanted);
            while (merged.Count < wanted && live.Count > 0)
            {
                var next = live.MinBy(h => h.Row!.Value.RowKey, StringComparer.Ordinal);
                merged.Add(next.Row!.Value);
                var index = live.IndexOf(next);
                var following = await NextWantedAsync(next.Head, Wanted).ConfigureAwait(false);
                if (following is null)
                {
                    live.RemoveAt(index);
                }
                else
                {
                    live[index] = (next.Head, following);
                }
            }

            var page = merged.Take(query.Limit).ToList();
            return new ItemPage(page.Select(row => row.Item).ToList(),
                merged.Count > query.Limit && page.Count > 0 ? Base64Url.Encode(System.Text.Encoding.UTF8.GetBytes(page[^1].RowKey)) : null);
        }
        finally
        {
            foreach (var head in heads)
            {
                await head.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>The bucket's next row that passes <paramref name="wanted"/>, or null at its end (reads a page only when one is used up).</summary>
    private static async Task<(string RowKey, CachedItem Item)?> NextWantedAsync(IAsyncEnumerator<TableEntity> head, Func<CachedItem, bool> wanted)
    {
        while (await head.MoveNextAsync().ConfigureAwait(false))
        {
            var item = ToItem(head.Current);
            if (wanted(item))
            {
                return (head.Current.RowKey, item);
            }
        }

        return null;
    }

    /// <summary>Every item of the account in list order.</summary>
    public async Task<List<CachedItem>> ListAllAsync(string accountId, CancellationToken ct)
    {
        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        var buckets = await EachBucketAsync(accountId, partition => ReadAllAsync(table, TableKeys.PrefixFilter(partition, ItemKeys.OrderPrefix), ListColumns,
            entity => (entity.RowKey, Item: ToItem(entity)), ct)).ConfigureAwait(false);
        return InRowKeyOrder(buckets).Select(row => row.Value).ToList();
    }

    /// <summary>Writes items (all their rows) and removes rows, in entity-group transactions of 100; upserts before deletes.</summary>
    public async Task WriteAsync(string accountId, IReadOnlyList<StoredItem> upserts, IReadOnlyList<ItemRow> rowDeletes, CancellationToken ct)
    {
        var actions = new List<TableTransactionAction>();
        foreach (var stored in upserts)
        {
            foreach (var entity in ToEntities(accountId, stored))
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity));
            }
        }

        var upserted = actions.Select(a => new ItemRow(a.Entity.PartitionKey, a.Entity.RowKey)).ToHashSet();
        foreach (var row in rowDeletes.Distinct().Where(row => !upserted.Contains(row)))
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(row.PartitionKey, row.RowKey), ETag.All));
        }

        if (actions.Count == 0)
        {
            return;
        }

        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        try
        {
            await SubmitAsync(table, actions, ct).ConfigureAwait(false);
        }
        finally
        {
            // Also after a failure part-way: some rows may have changed.
            await recent.MarkChangedAsync(accountId, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rewrites an item whose row keys are unchanged (same label, vault and domains), only if its id row is still the one
    /// <paramref name="previous"/> was read as: a sync or a delete that came in between wins. False when it lost.
    /// </summary>
    public async Task<bool> TryReplaceAsync(string accountId, StoredItem previous, StoredItem replacement, CancellationToken ct)
    {
        var actions = ToEntities(accountId, replacement).Select((entity, i) => i == 0
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, entity, previous.ETag)
            : new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity)).ToList();
        var table = await TableAsync(accountId, ct).ConfigureAwait(false);
        try
        {
            await table.SubmitTransactionAsync(actions, ct).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 412)
        {
            return false;
        }

        await recent.MarkChangedAsync(accountId, CancellationToken.None).ConfigureAwait(false);
        return true;
    }

    /// <summary>Every row an item occupies, all in its bucket's partition.</summary>
    public static IEnumerable<ItemRow> RowsOf(string accountId, StoredItem stored)
    {
        var partition = ItemKeys.Partition(accountId, stored.Item.ItemId);
        yield return new ItemRow(partition, ItemKeys.IdRow(stored.Item.ItemId));
        yield return new ItemRow(partition, ItemKeys.OrderRow(stored.SortKey));
        foreach (var domain in stored.Item.Data.Domains)
        {
            yield return new ItemRow(partition, ItemKeys.DomainRow(domain, stored.SortKey));
        }
    }

    /// <summary>Batches in flight at once: one per bucket, so each partition sees about one batch at a time.</summary>
    private const int ParallelBatches = ItemKeys.Buckets;

    /// <summary>
    /// Upserts first, then deletes, each phase in entity-group batches of up to 100 rows of one partition, submitted a few
    /// at a time and taken from the partitions in turn (so concurrent batches write different partitions); a failure
    /// part-way never leaves an item without its rows.
    /// </summary>
    internal static async Task SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions, CancellationToken ct)
    {
        foreach (var phase in new[] { actions.Where(a => a.ActionType != TableTransactionActionType.Delete), actions.Where(a => a.ActionType == TableTransactionActionType.Delete) })
        {
            await Parallel.ForEachAsync(PartitionBatches.Interleaved(phase), new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = ct },
                async (batch, token) => await SubmitBatchAsync(table, batch, token).ConfigureAwait(false)).ConfigureAwait(false);
        }
    }

    private static async Task SubmitBatchAsync(TableClient table, TableTransactionAction[] batch, CancellationToken ct)
    {
        try
        {
            await table.SubmitTransactionAsync(batch, ct).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 404)
        {
            // A delete of a row that is already gone fails the whole batch: repeat it row by row, tolerating the gone.
            foreach (var action in batch)
            {
                if (action.ActionType == TableTransactionActionType.Delete)
                {
                    await table.DeleteEntityAsync(action.Entity.PartitionKey, action.Entity.RowKey, ETag.All, ct).ConfigureAwait(false);
                }
                else
                {
                    await table.UpsertEntityAsync((TableEntity)action.Entity, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                }
            }
        }
    }

    private static IEnumerable<TableEntity> ToEntities(string accountId, StoredItem stored)
    {
        var data = JsonSerializer.Serialize(stored.Item.Data, ItemJson.Default.ItemData);
        var partition = ItemKeys.Partition(accountId, stored.Item.ItemId);
        TableEntity Row(string rowKey) => new(partition, rowKey)
        {
            ["ConnectionId"] = stored.Item.ConnectionId,
            ["VaultName"] = stored.Item.Data.VaultName,
            ["Enabled"] = stored.Item.Enabled,
            ["Data"] = data,
        };

        var idRow = Row(ItemKeys.IdRow(stored.Item.ItemId));
        idRow["ItemId"] = stored.Item.ItemId;
        idRow["Fingerprint"] = stored.Fingerprint;
        if (stored.SealedSecrets is not null)
        {
            idRow["Secrets"] = stored.SealedSecrets;
        }

        yield return idRow;
        var ordRow = Row(ItemKeys.OrderRow(stored.SortKey));
        ordRow["ItemId"] = stored.Item.ItemId;
        yield return ordRow;
        foreach (var domain in stored.Item.Data.Domains)
        {
            var domRow = Row(ItemKeys.DomainRow(domain, stored.SortKey));
            domRow["ItemId"] = stored.Item.ItemId;
            if (stored.SealedSecrets is not null)
            {
                domRow["Secrets"] = stored.SealedSecrets; // so a run's credential read for a domain is one range query
            }
            yield return domRow;
        }
    }

    internal static StoredItem ToStored(TableEntity entity) =>
        new(ToItem(entity), entity.GetString("Fingerprint") ?? string.Empty, entity.GetBinary("Secrets")) { ETag = entity.ETag };

    internal static CachedItem ToItem(TableEntity entity)
    {
        var data = JsonSerializer.Deserialize(entity.GetString("Data"), ItemJson.Default.ItemData)
            ?? throw new InvalidOperationException("Item row without data.");
        var itemId = entity.GetString("ItemId") ?? ItemKeys.ItemId(entity.GetString("ConnectionId"), data.VaultId, data.ProviderItemId);
        return new CachedItem(itemId, entity.GetString("ConnectionId"), entity.GetBoolean("Enabled") ?? true, data);
    }

    private async Task<TableClient> TableAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.ItemsAsync(ct).ConfigureAwait(false);
        await layout.EnsureCurrentAsync(table, accountId, ct).ConfigureAwait(false);
        return table;
    }

    /// <summary>The same read of every bucket of the account, all at once.</summary>
    private static Task<T[]> EachBucketAsync<T>(string accountId, Func<string, Task<T>> read) =>
        Task.WhenAll(ItemKeys.Partitions(accountId).Select(read));

    private static async Task<List<T>> ReadAllAsync<T>(TableClient table, string filter, IEnumerable<string>? select, Func<TableEntity, T> map, CancellationToken ct)
    {
        var rows = new List<T>();
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: select, cancellationToken: ct).ConfigureAwait(false))
        {
            rows.Add(map(entity));
        }

        return rows;
    }

    /// <summary>Rows of every bucket, each already in row-key order, merged into one order (row keys hold the list order).</summary>
    private static IEnumerable<(string RowKey, T Value)> InRowKeyOrder<T>(IEnumerable<IEnumerable<(string RowKey, T Value)>> buckets) =>
        buckets.SelectMany(b => b).OrderBy(row => row.RowKey, StringComparer.Ordinal);

    private static string DecodePageToken(string token, string prefix)
    {
        var bytes = Base64Url.TryDecode(token);
        var key = bytes is null ? null : System.Text.Encoding.UTF8.GetString(bytes);
        if (key is null || !key.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new Errors.InvalidCommandException(Errors.CommandParameters.PageToken, "is not a page token of this query.");
        }

        return key;
    }

    private static string Escape(string value) => value.Replace("'", "''", StringComparison.Ordinal);
}

/// <summary>The key of <see cref="ItemStore.ByDomainAsync"/> in <see cref="ItemReadCache"/>.</summary>
internal sealed record DomainRead(string RegistrableDomain);
