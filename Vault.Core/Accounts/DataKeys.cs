using System.Collections.Concurrent;
using System.Security.Cryptography;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

/// <summary>
/// Each account's 256-bit data key, kept in the secret store and cached in memory (it never changes): item secrets
/// are encrypted under it.
/// </summary>
public sealed class DataKeys(ISecretStore secrets)
{
    private readonly ConcurrentDictionary<string, byte[]> _cache = new(StringComparer.Ordinal);

    public async Task CreateAsync(string accountId, CancellationToken ct)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        await secrets.SetAsync(SecretName(accountId), Convert.ToBase64String(key), ct).ConfigureAwait(false);
        _cache[accountId] = key;
    }

    public async Task<byte[]> GetAsync(string accountId, CancellationToken ct)
    {
        if (_cache.TryGetValue(accountId, out var cached))
        {
            return cached;
        }

        var stored = await secrets.GetAsync(SecretName(accountId), ct).ConfigureAwait(false);
        if (stored is null)
        {
            // Accounts made before data keys existed, or a key lost from the store: a new key is safe because
            // nothing readable remains encrypted under a missing one.
            await CreateAsync(accountId, ct).ConfigureAwait(false);
            return _cache[accountId];
        }

        var key = Convert.FromBase64String(stored);
        _cache[accountId] = key;
        return key;
    }

    private static string SecretName(string accountId) => "datakey-" + accountId;
}
