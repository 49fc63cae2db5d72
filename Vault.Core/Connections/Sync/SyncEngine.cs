using Vault.Core.Domains;
using Vault.Core.Providers;
using Vault.Core.Storage;
using Vault.Core.Snapshots;
using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>
/// Brings one connection's cached items in line with what its provider returned: computes added / updated / removed,
/// writes only what changed, keeps each item's enabled flag, and encrypts secrets under the connection's key (secrets kept
/// from an earlier sync under another key, after a re-connect or from the older layout, are sealed again under it).
/// Disabled items are refreshed too (so that re-enabling one gives current data) and counted as skippedDisabled.
/// An item the provider listed without details keeps the details cached for its version, if any; otherwise its details
/// are pending (<see cref="ItemData.SecretsLive"/>) until a later sync or a run reads them.
/// </summary>
public sealed class SyncEngine(ItemStore cache, SealedSecretsReader sealedSecrets, TimeProvider clock)
{
    /// <summary>The connection's cached items, to pass to the provider (<see cref="CachedDetails"/>) and to <see cref="ApplyAsync"/>.</summary>
    public Task<List<StoredItem>> LoadAsync(string accountId, string connectionId, CancellationToken ct) =>
        cache.LoadConnectionAsync(accountId, connectionId, ct);

    /// <summary>The versions whose details the cache holds, keyed as <see cref="ProviderContext.DetailsKey"/>.</summary>
    public static IReadOnlyDictionary<string, string> CachedDetails(IEnumerable<StoredItem> existing) =>
        existing.Where(s => s is { SealedSecrets: not null, Item.Data: { SecretsLive: false, Version: not null } })
            .GroupBy(s => ProviderContext.DetailsKey(s.Item.Data.VaultId, s.Item.Data.ProviderItemId), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Item.Data.Version!, StringComparer.Ordinal);

    /// <param name="loaded">The connection's items as <see cref="LoadAsync"/> read them under the same lease, or null to read them here.</param>
    public async Task<SyncResult> ApplyAsync(
        string accountId, string connectionId, string provider, VaultSnapshot snapshot, ConnectionKey key, CancellationToken ct,
        IReadOnlyList<StoredItem>? loaded = null)
    {
        var existing = (loaded ?? await cache.LoadConnectionAsync(accountId, connectionId, ct).ConfigureAwait(false))
            .ToDictionary(s => s.Item.ItemId, StringComparer.Ordinal);
        var upserts = new List<StoredItem>();
        var deletes = new List<ItemRow>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int added = 0, updated = 0, skippedDisabled = 0;

        foreach (var providerItem in snapshot.Items)
        {
            var itemId = ItemKeys.ItemId(connectionId, providerItem.VaultId, providerItem.ProviderItemId);
            existing.TryGetValue(itemId, out var previous);
            var details = DetailsOf(providerItem, previous);
            var data = ToItemData(provider, providerItem, details, previous?.Item.Data.UpdatedAt);
            if (data is null || !seen.Add(itemId))
            {
                continue;
            }

            // A versioned item's version stands for its secrets (they are not always at hand to fingerprint).
            var fingerprint = ItemSecretsCipher.Fingerprint(key, data, providerItem.Version is null ? providerItem.Secrets : null);
            var enabled = previous?.Item.Enabled ?? true;
            if (!enabled)
            {
                skippedDisabled++;
            }

            if (previous is not null && previous.Fingerprint == fingerprint)
            {
                continue;
            }

            var sealedSecrets = providerItem.Secrets is { } secrets
                ? ItemSecretsCipher.Encrypt(key, accountId, itemId, secrets)
                : await ResealAsync(accountId, itemId, details.KeptSealedSecrets, key, ct).ConfigureAwait(false);
            var stored = new StoredItem(new CachedItem(itemId, connectionId, enabled, data), fingerprint, sealedSecrets);
            upserts.Add(stored);
            if (previous is not null)
            {
                // Rows keyed by an old label, vault name or domain are removed; rows that are rewritten are not.
                deletes.AddRange(ItemStore.RowsOf(accountId, previous).Except(ItemStore.RowsOf(accountId, stored)));
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
                deletes.AddRange(ItemStore.RowsOf(accountId, previous));
                removed++;
            }
        }

        await cache.WriteAsync(accountId, upserts, deletes, ct).ConfigureAwait(false);
        var vaults = snapshot.Items.Where(i => seen.Contains(ItemKeys.ItemId(connectionId, i.VaultId, i.ProviderItemId)))
            .Select(i => i.VaultName).Distinct(StringComparer.Ordinal).Order(StringComparer.OrdinalIgnoreCase).ToList();
        // The connection's items as now stored, in list order, so that a connect answers without reading them back.
        var written = upserts.ToDictionary(u => u.Item.ItemId, StringComparer.Ordinal);
        var items = seen.Select(id => written.TryGetValue(id, out var upserted) ? upserted : existing[id])
            .OrderBy(stored => stored.SortKey, StringComparer.Ordinal).Select(stored => stored.Item).ToList();
        return new SyncResult(new SyncSummary(added, updated, removed, skippedDisabled), items, vaults);
    }

    /// <summary>Secrets kept from an earlier sync, under <paramref name="key"/> (sealed again if another key holds them).</summary>
    private async Task<byte[]?> ResealAsync(string accountId, string itemId, byte[]? kept, ConnectionKey key, CancellationToken ct)
    {
        if (kept is null || KeyedSeal.KeyIdOf(kept) == key.KeyId)
        {
            return kept;
        }

        var secrets = await sealedSecrets.OpenAsync(accountId, key.ConnectionId, itemId, kept, ct).ConfigureAwait(false);
        return ItemSecretsCipher.Encrypt(key, accountId, itemId, secrets);
    }

    /// <summary>Where an item's username, hasTotp and secrets come from in this sync.</summary>
    private sealed record Details(string? Username, bool HasTotp, bool Pending, byte[]? KeptSealedSecrets);

    private static Details DetailsOf(ProviderItem item, StoredItem? previous)
    {
        if (item.Secrets is not null)
        {
            return new Details(item.Username, item.HasTotp, Pending: false, null);
        }

        // Listed at the version whose details are cached: keep them.
        if (item.Version is not null && previous is { SealedSecrets: not null, Item.Data: { SecretsLive: false } cached } &&
            cached.Version == item.Version)
        {
            return new Details(cached.Username, cached.HasTotp, Pending: false, previous.SealedSecrets);
        }

        // Not read yet (or changed since): what the listing says, and no one-time password claimed.
        return new Details(item.Username, HasTotp: false, Pending: true, null);
    }

    /// <summary>
    /// The cached form of a provider item, or null when it has no website URL (such items are not synced). A URI with a
    /// text rule (starts-with, exact, regular expression) counts as one even when its text has no registrable domain
    /// (e.g. <c>^https://(www\.)?github\.com/.*</c>): runs check such items on every read by domain.
    /// </summary>
    private ItemData? ToItemData(string provider, ProviderItem item, Details details, DateTimeOffset? previousUpdatedAt)
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

        if (!hasWebsite && !item.Uris.Any(u => u.Match is UriMatch.StartsWith or UriMatch.Exact or UriMatch.RegularExpression && u.Uri.Length > 0))
        {
            return null;
        }

        return new ItemData(
            provider,
            item.VaultId,
            item.VaultName,
            item.Label,
            details.Username,
            item.Uris.Select(u => new ItemUri(u.Uri, u.Match)).ToList(),
            domains,
            details.HasTotp,
            SecretsLive: details.Pending,
            item.ProviderItemId,
            // A provider without revision times keeps the first-seen time, so an unchanged item stays unchanged.
            item.UpdatedAt ?? previousUpdatedAt ?? clock.GetUtcNow(),
            item.Version,
            item.FieldLabels is { Count: > 0 } labels ? labels : null);
    }
}
