using Vault.Core.Common;

namespace Vault.Core.Accounts;

/// <summary>Who an API key is: its account and its key id (runs remember the key that created them).</summary>
public sealed record ApiKeyIdentity(string AccountId, string KeyId);

/// <summary>
/// Keeps a successful API-key look-up for <see cref="Lifetime"/>, so a busy key costs one storage read a second per
/// instance instead of one per call. Revocation stays immediate on every instance: an entry's life is counted from
/// before its read was sent, so no instance holds an entry read before a revocation for longer than
/// <see cref="Lifetime"/> after it, and <see cref="AccountService.RevokeKeyAsync"/> answers only after that long.
/// Only hits are kept (a key made a moment ago works at once everywhere). The same holds for whether a key id is
/// still live, which a run's token checks for the key that created the run.
/// </summary>
public sealed class ApiKeyCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private readonly FreshValues<string, ApiKeyIdentity> _byHash = new(10_000, Lifetime);
    private readonly FreshValues<(string AccountId, string KeyId), bool> _live = new(10_000, Lifetime);

    public static long Now => FreshValues<string, ApiKeyIdentity>.Now;

    public ApiKeyIdentity? Get(string keyHash) => _byHash.TryGet(keyHash, out var identity) ? identity : null;

    /// <param name="readStarted"><see cref="Now"/> taken before the storage read that found the key.</param>
    public void Put(string keyHash, ApiKeyIdentity identity, long readStarted) => _byHash.Put(keyHash, identity, readStarted);

    public bool? IsLive(string accountId, string keyId) => _live.TryGet((accountId, keyId), out var live) ? live : null;

    public void PutLive(string accountId, string keyId, bool live, long readStarted) => _live.Put((accountId, keyId), live, readStarted);

    public void Forget(string keyHash, string accountId, string keyId)
    {
        _byHash.Forget(keyHash);
        _live.Forget((accountId, keyId));
    }
}
