using Vault.Core.Domains;
using Vault.Core.Providers;

namespace Vault.Core.Items;

/// <summary>How a sync changed the cache.</summary>
public sealed record SyncSummary(int Added, int Updated, int Removed, int SkippedDisabled)
{
    public static readonly SyncSummary Empty = new(0, 0, 0, 0);

    public SyncSummary Plus(SyncSummary other) =>
        new(Added + other.Added, Updated + other.Updated, Removed + other.Removed, SkippedDisabled + other.SkippedDisabled);
}

public sealed record SyncResult(SyncSummary Summary, int ItemCount, IReadOnlyList<string> Vaults);

/// <summary>
/// Brings one connection's cached items in line with what its provider returned: computes added / updated / removed,
/// writes only what changed, keeps each item's enabled flag, and encrypts secrets under the account's data key.
/// Disabled items are refreshed too (so that re-enabling one gives current data) and counted as skippedDisabled.
/// </summary>
public sealed class SyncEngine(ItemCache cache, TimeProvider clock)
{
    public async Task<SyncResult> ApplyAsync(
        string accountId, string connectionId, string provider, VaultSnapshot snapshot, byte[] dataKey, CancellationToken ct)
    {
        var existing = (await cache.LoadConnectionAsync(accountId, connectionId, ct).ConfigureAwait(false))
            .ToDictionary(s => s.Item.ItemId, StringComparer.Ordinal);
        var upserts = new List<StoredItem>();
        var deletes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int added = 0, updated = 0, skippedDisabled = 0;

        foreach (var providerItem in snapshot.Items)
        {
            var itemId = ItemKeys.ItemId(connectionId, providerItem.VaultId, providerItem.ProviderItemId);
            existing.TryGetValue(itemId, out var previous);
            var data = ToItemData(provider, providerItem, snapshot.SecretsIncluded, previous?.Item.Data.UpdatedAt);
            if (data is null || !seen.Add(itemId))
            {
                continue;
            }

            var secrets = snapshot.SecretsIncluded ? providerItem.Secrets ?? new ItemSecrets(null, null) : null;
            var fingerprint = ItemSecretsCipher.Fingerprint(dataKey, data, secrets);
            var enabled = previous?.Item.Enabled ?? true;
            if (!enabled)
            {
                skippedDisabled++;
            }

            if (previous is not null && previous.Fingerprint == fingerprint)
            {
                continue;
            }

            var sealedSecrets = secrets is null ? null : ItemSecretsCipher.Encrypt(dataKey, accountId, itemId, secrets);
            var stored = new StoredItem(new CachedItem(itemId, connectionId, enabled, data), fingerprint, sealedSecrets);
            upserts.Add(stored);
            if (previous is not null)
            {
                // Rows keyed by an old label, vault name or domain are removed; rows that are rewritten are not.
                deletes.AddRange(ItemCache.RowKeysOf(previous).Except(ItemCache.RowKeysOf(stored)));
                if (enabled)
                {
                    updated++;
                }
            }
            else
            {
                added++;
            }
        }

        var removed = 0;
        foreach (var (itemId, previous) in existing)
        {
            if (!seen.Contains(itemId))
            {
                deletes.AddRange(ItemCache.RowKeysOf(previous));
                removed++;
            }
        }

        await cache.WriteAsync(accountId, upserts, deletes, ct).ConfigureAwait(false);
        var vaults = snapshot.Items.Where(i => seen.Contains(ItemKeys.ItemId(connectionId, i.VaultId, i.ProviderItemId)))
            .Select(i => i.VaultName).Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase).ToList();
        return new SyncResult(new SyncSummary(added, updated, removed, skippedDisabled), seen.Count, vaults);
    }

    /// <summary>The cached form of a provider item, or null when it has no website URL (such items are not synced).</summary>
    private ItemData? ToItemData(string provider, ProviderItem item, bool secretsIncluded, DateTimeOffset? previousUpdatedAt)
    {
        var domains = new List<string>();
        var hasWebsite = false;
        foreach (var uri in item.Uris)
        {
            if (!WebsiteAddress.TryParse(uri.Uri, out var address))
            {
                continue;
            }

            hasWebsite = true;
            if (uri.Match != UriMatch.Never && address.RegistrableDomain is { } domain && !domains.Contains(domain))
            {
                domains.Add(domain);
            }
        }

        if (!hasWebsite)
        {
            return null;
        }

        return new ItemData(
            provider,
            item.VaultId,
            item.VaultName,
            item.Label,
            item.Username,
            item.Uris.Select(u => new ItemUri(u.Uri, u.Match)).ToList(),
            domains,
            item.HasTotp,
            SecretsLive: !secretsIncluded,
            item.ProviderItemId,
            // A provider without revision times keeps the first-seen time, so an unchanged item stays unchanged.
            item.UpdatedAt ?? previousUpdatedAt ?? clock.GetUtcNow());
    }
}
