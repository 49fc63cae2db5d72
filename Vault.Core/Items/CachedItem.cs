using Vault.Core.Domains;

namespace Vault.Core.Items;

/// <summary>A cached login item: everything but its secrets, which are stored encrypted beside it.</summary>
public sealed record CachedItem(string ItemId, string ConnectionId, bool Enabled, ItemData Data)
{
    public string Provider => Data.Provider;
}

/// <summary>The public part of a cached item, stored as JSON.</summary>
/// <param name="HasTotp">Whether the item's details, as last read, have a one-time password; false while <paramref name="SecretsLive"/>.</param>
/// <param name="SecretsLive">The item's details are not cached yet (a provider budget deferred them): a run reads them live, then caches them.</param>
/// <param name="Version">The provider's item version the cached data was read at (1Password); null for providers without one.</param>
/// <param name="FieldLabels">Names of the item's custom fields (Keeper), never their values; null when it has none.</param>
public sealed record ItemData(
    string Provider,
    string VaultId,
    string VaultName,
    string Label,
    string? Username,
    IReadOnlyList<ItemUri> Uris,
    IReadOnlyList<string> Domains,
    bool HasTotp,
    bool SecretsLive,
    string ProviderItemId,
    DateTimeOffset UpdatedAt,
    string? Version = null,
    IReadOnlyList<string>? FieldLabels = null);

/// <summary>One URI of an item with its match rule.</summary>
public sealed record ItemUri(string Uri, UriMatch Match);
