using Vault.Core.Domains;
using Vault.Core.Errors;

namespace Vault.Core.Items;

/// <summary>Reads of the cache (never a provider call) and enabling / disabling items.</summary>
public sealed class ItemService(ItemStore cache, IConnectionPresence connections)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public async Task<ItemPage> ListAsync(string accountId, ItemQuery query, CancellationToken ct)
    {
        var page = await cache.QueryAsync(accountId, query, ct).ConfigureAwait(false);

        // Items imply a connection; only an empty answer needs the second look-up.
        if (page.Items.Count == 0 && !await connections.AnyAsync(accountId, ct).ConfigureAwait(false))
        {
            throw ApiErrors.NoConnections();
        }

        return page;
    }

    /// <summary>
    /// Enables or disables an item, conditional on the item as read (its id row's ETag): a sync or delete that lands in
    /// between is not overwritten; the change is applied again to what it left, or the item is gone (404).
    /// </summary>
    public async Task<CachedItem> SetEnabledAsync(string accountId, string itemId, bool enabled, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = await cache.GetAsync(accountId, itemId, ct).ConfigureAwait(false) ?? throw ApiErrors.NotFound("item");
            if (stored.Item.Enabled == enabled)
            {
                return stored.Item;
            }

            var changed = stored with { Item = stored.Item with { Enabled = enabled } };
            if (await cache.TryReplaceAsync(accountId, stored, changed, ct).ConfigureAwait(false))
            {
                return changed.Item;
            }

            if (attempt == 5)
            {
                throw ApiErrors.VaultUnavailable("The item kept changing while it was updated; retry.");
            }
        }
    }
}
