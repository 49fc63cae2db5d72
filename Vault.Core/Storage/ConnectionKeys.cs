using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Errors;

namespace Vault.Core.Storage;

/// <summary>
/// One connection's 256-bit data key (one per connect or re-connect, named by <see cref="KeyId"/>). Everything secret of
/// the connection is sealed under it in Table Storage; the key itself lives only in the secret store (Key Vault).
/// </summary>
public sealed record ConnectionKey(string ConnectionId, string KeyId, byte[] Bytes)
{
    /// <summary>Never shows the key (a record's generated ToString would).</summary>
    public override string ToString() => $"ConnectionKey {{ {ConnectionId}/{KeyId}, *** }}";
}

/// <summary>The connection's data key is not in the secret store (disconnected, shredded, or lost).</summary>
public sealed class ConnectionKeyMissingException(string connectionId)
    : ApiException(ErrorCodes.VaultUnavailable,
        "The connection's data key no longer exists, so its secrets cannot be read; connect the password manager again.")
{
    public string ConnectionId { get; } = connectionId;
}

public sealed class ConnectionKeyOptions
{
    /// <summary>How long an instance keeps a key it read (a disconnect elsewhere is final for this instance after it).</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many keys an instance keeps at most (32 bytes each, plus bookkeeping).</summary>
    public int CacheEntries { get; set; } = 20_000;
}

/// <summary>
/// Creates, reads (through a bounded per-instance cache with a short lifetime) and deletes connection keys. Key Vault
/// traffic follows connects, disconnects and cold instances, never syncs: a key is written once and never updated.
/// </summary>
public sealed class ConnectionKeys : IDisposable
{
    private const string Prefix = "ckey-";
    private readonly ISecretStore _secrets;
    private readonly ConnectionKeyOptions _options;
    private readonly ILogger<ConnectionKeys> _logger;
    private readonly MemoryCache _cache;

    public ConnectionKeys(ISecretStore secrets, IOptions<ConnectionKeyOptions> options, ILogger<ConnectionKeys> logger)
    {
        _secrets = secrets;
        _options = options.Value;
        _logger = logger;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.CacheEntries });
    }

    /// <summary>A new random key for <paramref name="connectionId"/>, stored before anything is sealed under it.</summary>
    public async Task<ConnectionKey> CreateAsync(string connectionId, CancellationToken ct)
    {
        var key = new ConnectionKey(connectionId, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), RandomNumberGenerator.GetBytes(32));
        await _secrets.SetAsync(SecretName(connectionId, key.KeyId), Convert.ToBase64String(key.Bytes), ct).ConfigureAwait(false);
        Remember(key);
        return key;
    }

    /// <summary>The key, from this instance's cache or the secret store; <see cref="ConnectionKeyMissingException"/> when it is gone.</summary>
    public async Task<ConnectionKey> GetAsync(string connectionId, string keyId, CancellationToken ct)
    {
        if (_cache.TryGetValue((connectionId, keyId), out ConnectionKey? cached) && cached is not null)
        {
            return cached;
        }

        var stored = await _secrets.GetAsync(SecretName(connectionId, keyId), ct).ConfigureAwait(false);
        byte[]? bytes = null;
        try
        {
            bytes = stored is null ? null : Convert.FromBase64String(stored);
        }
        catch (FormatException)
        {
        }

        if (bytes is not { Length: 32 })
        {
            _logger.LogError("Data key {KeyId} of connection {ConnectionId} is missing or malformed in the secret store", keyId, connectionId);
            throw new ConnectionKeyMissingException(connectionId);
        }

        var key = new ConnectionKey(connectionId, keyId, bytes);
        Remember(key);
        return key;
    }

    /// <summary>
    /// Crypto-shredding: forgets the key here and deletes it from the secret store. From then every sealed value under
    /// it is unreadable, wherever a copy of it is.
    /// </summary>
    public async Task DeleteAsync(string connectionId, string keyId, CancellationToken ct)
    {
        _cache.Remove((connectionId, keyId));
        await _secrets.DeleteAsync(SecretName(connectionId, keyId), ct).ConfigureAwait(false);
        _cache.Remove((connectionId, keyId));
    }

    public static string SecretName(string connectionId, string keyId) => Prefix + connectionId + "-" + keyId;

    public void Dispose() => _cache.Dispose();

    private void Remember(ConnectionKey key) =>
        _cache.Set((key.ConnectionId, key.KeyId), key, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = _options.CacheLifetime });
}
