using Vault.Core.Snapshots;

namespace Vault.Core.Providers;

/// <summary>Everything a provider call needs for one connection.</summary>
public sealed record ProviderContext(string AccountId, string ConnectionId, ProviderCredentials Credentials)
{
    /// <summary>
    /// Reads which items' details (username, secrets) the cache holds, by <see cref="DetailsKey"/>, with the
    /// <see cref="ProviderItem.Version"/> they were read at. A provider that versions its items reads details only for
    /// items missing there or listed at another version. Read on demand: a provider that does not need it (or finds
    /// the vault unchanged) costs no read of the cache. Null when nothing is cached.
    /// </summary>
    public Func<CancellationToken, Task<IReadOnlyDictionary<string, string>>>? CachedDetails { get; init; }

    /// <summary>
    /// Whether the provider may answer <see cref="VaultSnapshot.NoChange"/> when the vault did not change since the
    /// read its kept state remembers: only for a background resync of a connection whose cache is complete under its key.
    /// </summary>
    public bool MayReportUnchanged { get; init; }

    public static string DetailsKey(string vaultId, string providerItemId) => vaultId + "/" + providerItemId;
}
