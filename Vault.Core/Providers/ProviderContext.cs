using Vault.Core.Snapshots;

namespace Vault.Core.Providers;

/// <summary>Everything a provider call needs for one connection.</summary>
public sealed record ProviderContext(string AccountId, string ConnectionId, ProviderCredentials Credentials)
{
    /// <summary>
    /// Items whose details (username, secrets) the cache holds, by <see cref="DetailsKey"/>, with the
    /// <see cref="ProviderItem.Version"/> they were read at. A provider that versions its items reads details only for
    /// items missing here or listed at another version.
    /// </summary>
    public IReadOnlyDictionary<string, string>? CachedDetails { get; init; }

    public static string DetailsKey(string vaultId, string providerItemId) => vaultId + "/" + providerItemId;
}
