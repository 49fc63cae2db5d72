using System.Collections.Concurrent;

namespace Vault.Core.Storage;

/// <summary>
/// The account-level data key of the layout before per-connection keys (<c>datakey-{account}</c> in the secret store).
/// Read only to open rows not yet moved to their connection's key, and deleted once none of the account's connections
/// uses it; nothing new is ever sealed under it.
/// </summary>
public sealed class LegacyAccountKeys(ISecretStore secrets)
{
    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    /// <summary>The account's old data key, or null when it has none (any more).</summary>
    public async Task<byte[]?> GetAsync(string accountId, CancellationToken ct)
    {
        if (_cache.TryGetValue(accountId, out var cached))
        {
            return cached;
        }

        var stored = await secrets.GetAsync(SecretName(accountId), ct).ConfigureAwait(false);
        if (stored is null)
        {
            return null;
        }

        var key = Convert.FromBase64String(stored);
        _cache[accountId] = key;
        return key;
    }

    public async Task DeleteAsync(string accountId, CancellationToken ct)
    {
        _cache.TryRemove(accountId, out _);
        await secrets.DeleteAsync(SecretName(accountId), ct).ConfigureAwait(false);
    }

    /// <summary>The old per-connection credentials secret (now sealed in the connection row instead).</summary>
    public static string CredentialsSecretName(string connectionId) => "cred-" + connectionId;

    public static string SecretName(string accountId) => "datakey-" + accountId;
}
