using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Vault.Core;
using Vault.Core.Codes;
using Vault.Core.Common;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Codes;

/// <summary>
/// Run addresses and Mailgun replay tokens live in partitions of their own (no partition every run creation writes),
/// and rows written before that, in the old shared partitions, still count: a live run's address still routes mail
/// and a token seen just before the upgrade is still refused.
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class InboxLayoutTests
{
    private readonly string _prefix = "t" + Ids.RandomBase32(8);

    private (InboxStore Store, TableClient Table) NewStore()
    {
        var tables = new Tables(new TableServiceClient(AzuriteStorage.ConnectionString), Options.Create(new VaultOptions { TablePrefix = _prefix }));
        return (new InboxStore(tables), tables.InboxAsync().GetAwaiter().GetResult());
    }

    [Fact]
    public async Task Each_address_has_its_own_partition_and_old_rows_still_route()
    {
        var (store, table) = NewStore();
        var now = DateTimeOffset.UtcNow;
        var first = InboxStore.NewLocalPart();
        var second = InboxStore.NewLocalPart();
        await store.AddRunAsync("acct-1", "run-1", first, smsCodes: false, now.AddHours(1), default);
        await store.AddRunAsync("acct-1", "run-2", second, smsCodes: false, now.AddHours(1), default);
        Assert.Equal("run-1", await store.RunOfAddressAsync(first, now, default));
        Assert.Equal("run-2", await store.RunOfAddressAsync(second, now, default));
        var partitions = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
        {
            if (row.RowKey == first || row.RowKey == second)
            {
                partitions.Add(row.PartitionKey);
            }
        }

        Assert.Equal(2, partitions.Distinct().Count());

        // A run created before the change kept its address in the shared partition.
        var old = InboxStore.NewLocalPart();
        await table.AddEntityAsync(new TableEntity("email", old) { ["RunId"] = "run-old", ["AccountId"] = "acct-1", ["ExpiresAt"] = now.AddHours(1) });
        await table.AddEntityAsync(new TableEntity("run|run-old", "inbox") { ["AccountId"] = "acct-1", ["LocalPart"] = old, ["SmsCodes"] = false, ["ExpiresAt"] = now.AddHours(1) });
        Assert.Equal("run-old", await store.RunOfAddressAsync(old, now, default));
        await store.DropRunAsync("run-old", default);
        Assert.Null(await store.RunOfAddressAsync(old, now, default));
    }

    [Fact]
    public async Task A_replayed_token_is_refused_also_when_first_seen_before_the_change()
    {
        var (store, table) = NewStore();
        var token = Ids.RandomBase32(20);
        Assert.True(await store.TryUseTokenAsync(token, DateTimeOffset.UtcNow, default));
        Assert.False(await store.TryUseTokenAsync(token, DateTimeOffset.UtcNow, default));

        var earlier = Ids.RandomBase32(20);
        await table.AddEntityAsync(new TableEntity("mailgun-token", Ids.HashSecret(earlier)) { ["SeenAt"] = DateTimeOffset.UtcNow });
        Assert.False(await store.TryUseTokenAsync(earlier, DateTimeOffset.UtcNow, default));
    }
}
