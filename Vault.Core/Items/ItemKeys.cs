using System.Text;
using Vault.Core.Storage;

namespace Vault.Core.Items;

/// <summary>
/// Row keys of the item cache (partition = account). Each item has an <c>id|</c> row (point reads: runs, PATCH),
/// an <c>ord|</c> row in list order, and a <c>dom|domain|</c> row per registrable domain, so every read the API makes is
/// a point read or one range query, already in the contract's order (vaultName, label, itemId; case-insensitive).
/// </summary>
public static class ItemKeys
{
    public const string IdPrefix = "id|";
    public const string OrderPrefix = "ord|";
    public const string DomainPrefix = "dom|";
    private const int MaxComponentBytes = 120;

    public static string ItemId(string connectionId, string vaultId, string providerItemId) =>
        $"cred:{connectionId}:{vaultId}:{providerItemId}";

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
