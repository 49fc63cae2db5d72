using System.Text;
using Vault.Core.Storage;

namespace Vault.Core.Items;

/// <summary>
/// Keys of the item cache. Each item has an <c>id|</c> row (point reads: runs, PATCH), an <c>ord|</c> row in list order,
/// and a <c>dom|domain|</c> row per registrable domain, all in one of the account's <see cref="Buckets"/> partitions
/// (<c>{accountId}|{bucket}</c>, the bucket a hash of the item id). So one vault's sync spreads its writes over that many
/// partitions (Azure serves about 2,000 entities a second per partition), an item's rows still change in one
/// entity-group transaction, a point read stays a point read, and a read by domain or in list order is one range query
/// per bucket, merged in the contract's order (vaultName, label, itemId; case-insensitive) by row key.
/// </summary>
public static class ItemKeys
{
    /// <summary>
    /// Partitions per account: 8 × 2,000 entities/s is past the storage account's own 20,000/s, so a sync is bound by
    /// the account, not by a partition, while a read fans out to only 8 range queries.
    /// </summary>
    public const int Buckets = 8;

    public const string IdPrefix = "id|";
    public const string OrderPrefix = "ord|";
    public const string DomainPrefix = "dom|";
    private const int MaxComponentBytes = 120;

    public static string ItemId(string connectionId, string vaultId, string providerItemId) =>
        $"cred:{connectionId}:{vaultId}:{providerItemId}";

    /// <summary>The partition an item's rows live in.</summary>
    public static string Partition(string accountId, string itemId) => BucketPartition(accountId, PartitionBatches.BucketOf(itemId, Buckets));

    public static string BucketPartition(string accountId, int bucket) => accountId + "|" + bucket.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every partition of the account's items.</summary>
    public static IEnumerable<string> Partitions(string accountId) => Enumerable.Range(0, Buckets).Select(b => BucketPartition(accountId, b));

    /// <summary>The partition of the layout before buckets: all of an account's rows under its id.</summary>
    public static string LegacyPartition(string accountId) => accountId;

    public static string ConnectionIdPrefix(string connectionId) => IdPrefix + TableKeys.Escape($"cred:{connectionId}:");

    public static string IdRow(string itemId) => IdPrefix + TableKeys.Escape(itemId);

    public static string OrderRow(string sortKey) => OrderPrefix + sortKey;

    public static string DomainRow(string domain, string sortKey) => DomainPrefix + domain + "|" + sortKey;

    public static string DomainRangePrefix(string domain) => DomainPrefix + domain + "|";

    /// <summary>Order-preserving, key-safe encoding: hex of the lower-cased UTF-8, '!' sorting below every hex digit.</summary>
    public static string SortKey(string vaultName, string label, string itemId) =>
        VaultSortPrefix(vaultName) + Component(label) + "!" + TableKeys.Escape(itemId);

    public static string VaultSortPrefix(string vaultName) => Component(vaultName) + "!";

    private static string Component(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value.ToLowerInvariant());
        return Convert.ToHexStringLower(bytes, 0, Math.Min(bytes.Length, MaxComponentBytes));
    }
}
