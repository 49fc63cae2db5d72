using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Errors;
using Vault.Core.Storage;

namespace Vault.Core.Accounts;

public sealed record CreatedAccount(string AccountId, string KeyId, string ApiKey);

public sealed record CreatedApiKey(string KeyId, string ApiKey);

/// <summary>
/// Accounts and their API keys. A key is 256 random bits shown once; only its SHA-256 is stored, as the partition key
/// of its own entity, so authenticating is one point read. A second entity under the account maps key id → hash for revocation.
/// </summary>
public sealed class AccountService(Tables tables, ApiKeyCache keyCache, TimeProvider clock)
{
    private const string AccountPartition = "account";
    private const string KeyRow = "key";
    private const string ApiKeyPrefix = "vk_";

    public async Task<CreatedAccount> CreateAccountAsync(string name, CancellationToken ct)
    {
        var accountId = Ids.New("acct");
        var accounts = await tables.AccountsAsync(ct).ConfigureAwait(false);
        await accounts.AddEntityAsync(new TableEntity(AccountPartition, accountId)
        {
            ["Name"] = name,
            ["CreatedAt"] = clock.GetUtcNow(),
        }, ct).ConfigureAwait(false);

        var key = await CreateKeyAsync(accountId, ct).ConfigureAwait(false);
        return new CreatedAccount(accountId, key.KeyId, key.ApiKey);
    }

    public async Task<CreatedApiKey> CreateKeyAsync(string accountId, CancellationToken ct)
    {
        await EnsureAccountExistsAsync(accountId, ct).ConfigureAwait(false);
        var keyId = Ids.New("key");
        var apiKey = Ids.NewSecret(ApiKeyPrefix);
        var hash = Ids.HashSecret(apiKey);
        var keys = await tables.ApiKeysAsync(ct).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        await keys.AddEntityAsync(new TableEntity(hash, KeyRow) { ["AccountId"] = accountId, ["KeyId"] = keyId, ["CreatedAt"] = now }, ct).ConfigureAwait(false);
        await keys.AddEntityAsync(new TableEntity(accountId, KeyIndexRow(keyId)) { ["Hash"] = hash, ["CreatedAt"] = now }, ct).ConfigureAwait(false);
        return new CreatedApiKey(keyId, apiKey);
    }

    /// <summary>
    /// Revokes a key: its index row is marked revoked first (so a retry after a failure finishes the job, and the runs
    /// the key created stop with it, see <see cref="IsKeyLiveAsync"/>), then the hash row it authenticates by goes.
    /// </summary>
    public async Task RevokeKeyAsync(string accountId, string keyId, CancellationToken ct)
    {
        var keys = await tables.ApiKeysAsync(ct).ConfigureAwait(false);
        var index = IsWellFormedId(keyId, "key")
            ? await keys.GetEntityIfExistsAsync<TableEntity>(accountId, KeyIndexRow(keyId), cancellationToken: ct).ConfigureAwait(false)
            : null;
        if (index is not { HasValue: true })
        {
            throw ApiErrors.NotFound("key");
        }

        var hash = index.Value!.GetString("Hash");
        var alreadyRevoked = index.Value.GetDateTimeOffset("RevokedAt") is not null;
        if (!alreadyRevoked)
        {
            await keys.UpdateEntityAsync(new TableEntity(accountId, KeyIndexRow(keyId)) { ["RevokedAt"] = clock.GetUtcNow() },
                index.Value.ETag, TableUpdateMode.Merge, ct).ConfigureAwait(false);
        }

        // A revoke that failed after marking the index row is finished by the next one, which still answers 404.
        await keys.DeleteEntityAsync(hash, KeyRow, ETag.All, ct).ConfigureAwait(false); // a missing row answers 404 without throwing
        if (alreadyRevoked)
        {
            throw ApiErrors.NotFound("key");
        }

        // Any instance may still hold the key from a read sent before the delete, for at most ApiKeyCache.Lifetime:
        // answering after that long means the key (and every run it created) is refused everywhere once the caller
        // hears it is revoked.
        keyCache.Forget(hash, accountId, keyId);
        await Task.Delay(ApiKeyCache.Lifetime, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// Revokes every key of the account (and so every run they created) and answers once no instance accepts any of
    /// them; the account row stays until <see cref="RemoveAccountAsync"/>. 404 for an unknown account.
    /// </summary>
    public async Task RevokeAllKeysAsync(string accountId, CancellationToken ct)
    {
        await EnsureAccountExistsAsync(accountId, ct).ConfigureAwait(false);
        var keys = await tables.ApiKeysAsync(ct).ConfigureAwait(false);
        await foreach (var index in keys.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, "key|"), cancellationToken: ct).ConfigureAwait(false))
        {
            if (index.GetDateTimeOffset("RevokedAt") is null)
            {
                await keys.UpdateEntityAsync(new TableEntity(accountId, index.RowKey) { ["RevokedAt"] = clock.GetUtcNow() }, ETag.All, TableUpdateMode.Merge, ct)
                    .ConfigureAwait(false);
            }

            if (index.GetString("Hash") is { } hash)
            {
                await keys.DeleteEntityAsync(hash, KeyRow, ETag.All, ct).ConfigureAwait(false);
                keyCache.Forget(hash, accountId, index.RowKey["key|".Length..]);
            }
        }

        await Task.Delay(ApiKeyCache.Lifetime, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Removes the account row and its key tombstones (after its keys are revoked and its connections gone).</summary>
    public async Task RemoveAccountAsync(string accountId, CancellationToken ct)
    {
        var keys = await tables.ApiKeysAsync(ct).ConfigureAwait(false);
        await foreach (var index in keys.QueryAsync<TableEntity>(TableKeys.PrefixFilter(accountId, "key|"), select: ["PartitionKey", "RowKey"], cancellationToken: ct)
            .ConfigureAwait(false))
        {
            await keys.DeleteEntityAsync(accountId, index.RowKey, ETag.All, ct).ConfigureAwait(false);
        }

        var accounts = await tables.AccountsAsync(ct).ConfigureAwait(false);
        await accounts.DeleteEntityAsync(AccountPartition, accountId, ETag.All, ct).ConfigureAwait(false);
    }

    /// <summary>Whether the key <paramref name="keyId"/> of the account still exists and is not revoked.</summary>
    public async Task<bool> IsKeyLiveAsync(string accountId, string keyId, CancellationToken ct)
    {
        if (keyCache.IsLive(accountId, keyId) is { } known)
        {
            return known;
        }

        var readStarted = ApiKeyCache.Now;
        var keys = await tables.ApiKeysAsync(ct).ConfigureAwait(false);
        var index = await keys.GetEntityIfExistsAsync<TableEntity>(accountId, KeyIndexRow(keyId), ["RevokedAt"], ct).ConfigureAwait(false);
        var live = index.HasValue && index.Value!.GetDateTimeOffset("RevokedAt") is null;
        keyCache.PutLive(accountId, keyId, live, readStarted);
        return live;
    }

    /// <summary>The account an API key belongs to, or null for a missing, malformed, unknown or revoked key.</summary>
    public async Task<string?> AuthenticateAsync(string? apiKey, CancellationToken ct) =>
        (await IdentifyAsync(apiKey, ct).ConfigureAwait(false))?.AccountId;

    /// <summary>The account and key id of an API key, or null for a missing, malformed, unknown or revoked key.</summary>
    public async Task<ApiKeyIdentity?> IdentifyAsync(string? apiKey, CancellationToken ct)
    {
        if (apiKey is null || !apiKey.StartsWith(ApiKeyPrefix, StringComparison.Ordinal) || apiKey.Length > 100)
        {
            return null;
        }

        var hash = Ids.HashSecret(apiKey);
        if (keyCache.Get(hash) is { } cached)
        {
            return cached;
        }

        var readStarted = ApiKeyCache.Now;
        var keys = await tables.ApiKeysAsync(ct).ConfigureAwait(false);
        var entity = await keys.GetEntityIfExistsAsync<TableEntity>(hash, KeyRow, ["AccountId", "KeyId"], ct).ConfigureAwait(false);
        if (!entity.HasValue)
        {
            return null;
        }

        var identity = new ApiKeyIdentity(entity.Value!.GetString("AccountId"), entity.Value.GetString("KeyId"));
        keyCache.Put(hash, identity, readStarted);
        return identity;
    }

    /// <summary>404 for an unknown account.</summary>
    public Task EnsureExistsAsync(string accountId, CancellationToken ct) => EnsureAccountExistsAsync(accountId, ct);

    private async Task EnsureAccountExistsAsync(string accountId, CancellationToken ct)
    {
        var accounts = await tables.AccountsAsync(ct).ConfigureAwait(false);
        if (!IsWellFormedId(accountId, "acct") ||
            !(await accounts.GetEntityIfExistsAsync<TableEntity>(AccountPartition, accountId, ["PartitionKey"], ct).ConfigureAwait(false)).HasValue)
        {
            throw ApiErrors.NotFound("account");
        }
    }

    private static string KeyIndexRow(string keyId) => "key|" + TableKeys.Escape(keyId);

    internal static bool IsWellFormedId(string id, string prefix) =>
        id.Length == prefix.Length + 27 && id.StartsWith(prefix + "-", StringComparison.Ordinal) &&
        id.AsSpan(prefix.Length + 1).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz234567") < 0;
}
