using Azure;
using Azure.Core;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vault.Core;
using Vault.Core.Common;
using Vault.Core.Domains;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Storage;

/// <summary>
/// The item cache's bucketed layout: one vault's rows spread over the account's partitions, an item's rows stay
/// together, reads in list order and by domain merge the buckets exactly, and rows of the layout before buckets move
/// over on first use without losing or doubling anything.
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class ItemLayoutTests
{
    private readonly string _prefix = "t" + Ids.RandomBase32(8);
    private readonly string _account = "acct-" + Ids.RandomBase32(6);

    private Tables NewTables(TableRowCounter? counter = null)
    {
        var options = new TableClientOptions();
        if (counter is not null)
        {
            options.AddPolicy(counter, HttpPipelinePosition.PerCall);
        }

        return new(new TableServiceClient(AzuriteStorage.ConnectionString, options), Options.Create(new VaultOptions { TablePrefix = _prefix }));
    }

    /// <summary>A store as one instance has it (its own read cache and memory of moved accounts).</summary>
    private ItemStore NewStore(TableRowCounter? counter = null)
    {
        var tables = NewTables(counter);
        var recent = new ItemReadCache(tables);
        return new ItemStore(tables, recent, new ItemLayoutMigration(new TableLeases(tables, TimeProvider.System), recent, NullLogger<ItemLayoutMigration>.Instance));
    }

    private static StoredItem Item(int i, string vault = "Team")
    {
        var domain = i % 3 == 0 ? "shared.example" : $"site{i}.example";
        return new StoredItem(new CachedItem($"cred:conn-1:v1:i{i}", "conn-1", i % 7 != 0, new ItemData("bitwarden", "v1", vault, $"Login {i:D3}", $"user{i}",
            [new ItemUri($"https://{domain}/login", UriMatch.Default)], [domain], false, false, $"i{i}", DateTimeOffset.UnixEpoch, null)), $"fp{i}", [(byte)i, 1, 2]);
    }

    private static List<string> ListOrder(IEnumerable<StoredItem> items) =>
        items.OrderBy(s => s.SortKey, StringComparer.Ordinal).Select(s => s.Item.ItemId).ToList();

    [Fact]
    public async Task One_vaults_rows_spread_over_the_buckets_and_each_items_rows_share_one_partition()
    {
        var store = NewStore();
        var items = Enumerable.Range(1, 120).Select(i => Item(i)).ToList();
        await store.WriteAsync(_account, items, [], default);

        var rows = await AzuriteStorage.ItemRowsAsync(_prefix + "items", _account);
        Assert.Equal(items.Sum(i => 2 + i.Item.Data.Domains.Count), rows.Count);
        Assert.Equal(ItemKeys.Buckets, rows.Select(r => r.PartitionKey).Distinct().Count());
        Assert.All(rows.GroupBy(r => r.GetString("ItemId")), item => Assert.Single(item.Select(r => r.PartitionKey).Distinct()));
        Assert.DoesNotContain(rows, r => r.PartitionKey == _account);
        // No bucket holds much more than its share.
        Assert.All(rows.GroupBy(r => r.PartitionKey), bucket => Assert.InRange(bucket.Count(), 1, rows.Count / 2));
    }

    [Fact]
    public async Task Pages_in_list_order_and_domain_reads_merge_the_buckets_exactly()
    {
        var store = NewStore();
        var items = Enumerable.Range(1, 60).Select(i => Item(i, i % 2 == 0 ? "Team" : "Personal")).ToList();
        await store.WriteAsync(_account, items, [], default);

        var paged = new List<string>();
        string? token = null;
        do
        {
            var page = await store.QueryAsync(_account, new ItemQuery(null, null, null, null, 7, token), default);
            Assert.True(page.Items.Count <= 7);
            paged.AddRange(page.Items.Select(i => i.ItemId));
            token = page.NextPageToken;
        }
        while (token is not null);
        Assert.Equal(ListOrder(items), paged);
        Assert.Equal(ListOrder(items), (await store.ListAllAsync(_account, default)).Select(i => i.ItemId));

        var team = await store.QueryAsync(_account, new ItemQuery(null, null, "Team", true, 100, null), default);
        Assert.Equal(ListOrder(items.Where(i => i.Item.Data.VaultName == "Team" && i.Item.Enabled)), team.Items.Select(i => i.ItemId));

        var shared = await store.ByDomainAsync(_account, "shared.example", default);
        Assert.Equal(ListOrder(items.Where(i => i.Item.Data.Domains.Contains("shared.example"))), shared.Select(s => s.Item.ItemId));
        Assert.All(shared, s => Assert.NotNull(s.SealedSecrets));

        var removed = items.Where(i => i.Item.Data.Domains.Contains("shared.example")).Take(5).ToList();
        await store.WriteAsync(_account, [], removed.SelectMany(r => ItemStore.RowsOf(_account, r)).ToList(), default);
        Assert.Equal(ListOrder(items.Except(removed)), (await store.ListAllAsync(_account, default)).Select(i => i.ItemId));
        Assert.Equal(ListOrder(items.Where(i => i.Item.Data.Domains.Contains("shared.example")).Except(removed)),
            (await store.ByDomainAsync(_account, "shared.example", default)).Select(s => s.Item.ItemId));
    }

    [Fact]
    public async Task A_page_reads_about_its_own_size_not_a_page_from_every_bucket()
    {
        var items = Enumerable.Range(1, 400).Select(i => Item(i)).ToList();
        await NewStore().WriteAsync(_account, items, [], default);
        var counter = new TableRowCounter();
        var store = NewStore(counter);
        await store.ListAllAsync(_account, default); // the layout check and table creation, outside the count
        var before = counter.RowsRead(_prefix, "items");

        var page = await store.QueryAsync(_account, new ItemQuery(null, null, null, null, 40, null), default);
        var second = await store.QueryAsync(_account, new ItemQuery(null, null, null, null, 40, page.NextPageToken), default);

        Assert.Equal(ListOrder(items).Take(80), page.Items.Concat(second.Items).Select(i => i.ItemId));
        // Each bucket is read in pages of 2 × ⌈41 / 8⌉ = 12: two pages of 40 read at most 2 × (41 + 8 × 12) rows,
        // where a full page from every bucket would be 2 × 8 × 41 = 656.
        Assert.InRange(counter.RowsRead(_prefix, "items") - before, 80, 2 * (41 + 8 * 12));
    }

    /// <summary>Puts the account's rows back where the layout before buckets kept them: all in the partition of the account id.</summary>
    private async Task MoveToLegacyLayoutAsync()
    {
        var table = await NewTables().ItemsAsync();
        foreach (var row in await AzuriteStorage.ItemRowsAsync(_prefix + "items", _account))
        {
            var legacy = new TableEntity(row) { PartitionKey = ItemKeys.LegacyPartition(_account), ETag = default };
            legacy.Remove("Timestamp");
            await table.UpsertEntityAsync(legacy, TableUpdateMode.Replace);
            await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All);
        }
    }

    [Fact]
    public async Task Rows_of_the_layout_before_buckets_move_on_first_use_also_when_many_instances_call_at_once()
    {
        var items = Enumerable.Range(1, 150).Select(i => Item(i)).ToList();
        await NewStore().WriteAsync(_account, items, [], default);
        var before = (await AzuriteStorage.ItemRowsAsync(_prefix + "items", _account)).Count;
        await MoveToLegacyLayoutAsync();
        Assert.Equal(before, (await AzuriteStorage.PartitionAsync(_prefix + "items", _account)).Count);

        // Six instances' first calls at once: reads and a point read all see every item, exactly once.
        var stores = Enumerable.Range(0, 6).Select(_ => NewStore()).ToList();
        var calls = stores.Select((store, i) => i % 2 == 0
            ? (Func<Task<List<string>>>)(async () => (await store.ListAllAsync(_account, default)).Select(x => x.ItemId).ToList())
            : async () => (await store.LoadConnectionAsync(_account, "conn-1", default)).OrderBy(s => s.SortKey, StringComparer.Ordinal).Select(s => s.Item.ItemId).ToList());
        var answers = await Task.WhenAll(calls.Select(call => Task.Run(call)));
        Assert.All(answers, answer => Assert.Equal(ListOrder(items), answer));

        Assert.Empty(await AzuriteStorage.PartitionAsync(_prefix + "items", _account));
        var rows = await AzuriteStorage.ItemRowsAsync(_prefix + "items", _account);
        Assert.Equal(before, rows.Count);
        Assert.Equal(items[4].SealedSecrets, (await stores[0].GetAsync(_account, items[4].Item.ItemId, default))!.SealedSecrets);
        Assert.Equal(ListOrder(items.Where(i => i.Item.Data.Domains.Contains("shared.example"))),
            (await stores[1].ByDomainAsync(_account, "shared.example", default)).Select(s => s.Item.ItemId));
    }

    [Fact]
    public async Task A_write_after_the_move_is_not_undone_by_an_instance_that_saw_the_old_layout()
    {
        var items = Enumerable.Range(1, 20).Select(i => Item(i)).ToList();
        await NewStore().WriteAsync(_account, items, [], default);
        await MoveToLegacyLayoutAsync();

        var first = NewStore();
        var removed = items[3];
        await first.WriteAsync(_account, [], [.. ItemStore.RowsOf(_account, removed)], default); // moves, then deletes
        var second = NewStore(); // a fresh instance: checks the layout again and finds nothing to move
        Assert.Null(await second.GetAsync(_account, removed.Item.ItemId, default));
        Assert.Equal(ListOrder(items.Except([removed])), (await second.ListAllAsync(_account, default)).Select(i => i.ItemId));
    }
}
