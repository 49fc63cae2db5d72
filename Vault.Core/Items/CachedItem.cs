using Vault.Core.Domains;

namespace Vault.Core.Items;

/// <summary>A cached login item: everything but its secrets, which are stored encrypted beside it.</summary>
public sealed record CachedItem(string ItemId, string ConnectionId, bool Enabled, ItemData Data)
{
    public string Provider => Data.Provider;
}

/// <summary>The public part of a cached item, stored as JSON.</summary>
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
    DateTimeOffset UpdatedAt);

/// <summary>One URI of an item with its match rule.</summary>
public sealed record ItemUri(string Uri, UriMatch Match);
