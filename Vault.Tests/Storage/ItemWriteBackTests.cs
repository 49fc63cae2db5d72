using Azure.Data.Tables;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vault.Core.Domains;
using Vault.Core;
using Vault.Core.Common;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Storage;

/// <summary>
/// A run that read an item's details live writes them back only if the item is still as it read it: a sync that
/// rewrote the item, or a delete, in between wins (Azurite, real concurrent writers).
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class ItemWriteBackTests
{
    private static readonly string Account = "acct-" + Ids.RandomBase32(6);

    private static ItemStore NewCache()
    {
        var tables = new Tables(new TableServiceClient(AzuriteStorage.ConnectionString), Options.Create(new VaultOptions { TablePrefix = "t" + Ids.RandomBase32(8) }));
        var recent = new ItemReadCache(tables);
        return new ItemStore(tables, recent, new ItemLayoutMigration(new TableLeases(tables, TimeProvider.System), recent, NullLogger<ItemLayoutMigration>.Instance));
    }

    private static StoredItem Pending(string label, string? username = "listed") => new(
        new CachedItem("cred:conn-1:v1:i1", "conn-1", true, new ItemData("1password", "v1", "Team", label, username,
            [new ItemUri("https://shop.example.com", UriMatch.Default)], ["example.com"], false, true, "i1", DateTimeOffset.UnixEpoch, "4")),
        "fp-1", null);

    private static StoredItem Filled(StoredItem read) => new(read.Item with { Data = read.Item.Data with { Username = "from-details", HasTotp = true, SecretsLive = false } },
        "fp-2", [1, 2, 3]);

    [Fact]
    public async Task The_write_back_lands_on_the_item_as_read_and_rewrites_all_its_rows()
    {
        var cache = NewCache();
        await cache.WriteAsync(Account, [Pending("Shop")], [], default);
        var read = (await cache.GetAsync(Account, "cred:conn-1:v1:i1", default))!;

        Assert.True(await cache.TryReplaceAsync(Account, read, Filled(read), default));
        var now = (await cache.GetAsync(Account, read.Item.ItemId, default))!;
        Assert.Equal(("from-details", true, false), (now.Item.Data.Username, now.Item.Data.HasTotp, now.Item.Data.SecretsLive));
        var listed = await cache.QueryAsync(Account, new ItemQuery("example.com", null, null, null, 10, null), default);
        Assert.Equal("from-details", Assert.Single(listed.Items).Data.Username);
    }

    [Fact]
    public async Task A_sync_that_rewrote_the_item_in_between_wins()
    {
        var cache = NewCache();
        await cache.WriteAsync(Account, [Pending("Shop")], [], default);
        var read = (await cache.GetAsync(Account, "cred:conn-1:v1:i1", default))!;
        await cache.WriteAsync(Account, [Pending("Shop", "renamed-by-sync")], [], default);

        Assert.False(await cache.TryReplaceAsync(Account, read, Filled(read), default));
        Assert.Equal("renamed-by-sync", (await cache.GetAsync(Account, read.Item.ItemId, default))!.Item.Data.Username);
    }

    [Fact]
    public async Task A_delete_in_between_wins_and_nothing_comes_back()
    {
        var cache = NewCache();
        await cache.WriteAsync(Account, [Pending("Shop")], [], default);
        var read = (await cache.GetAsync(Account, "cred:conn-1:v1:i1", default))!;
        await cache.WriteAsync(Account, [], [.. ItemStore.RowsOf(Account, read)], default);

        Assert.False(await cache.TryReplaceAsync(Account, read, Filled(read), default));
        Assert.Null(await cache.GetAsync(Account, read.Item.ItemId, default));
        Assert.Empty((await cache.QueryAsync(Account, new ItemQuery(null, null, null, null, 10, null), default)).Items);
    }

    [Fact]
    public async Task Of_two_concurrent_write_backs_exactly_one_lands()
    {
        var cache = NewCache();
        await cache.WriteAsync(Account, [Pending("Shop")], [], default);
        var read = (await cache.GetAsync(Account, "cred:conn-1:v1:i1", default))!;
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => cache.TryReplaceAsync(Account, read, Filled(read), default)));
        Assert.Single(results, r => r);
    }
}
