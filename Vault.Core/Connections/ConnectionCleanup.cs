using Microsoft.Extensions.Logging;
using Vault.Core.Items;
using Vault.Core.Storage;

namespace Vault.Core.Connections;

/// <summary>
/// Removes what a connection left: its data key first (crypto-shredding: from then its credentials and cached secrets
/// are unreadable, even from a copy of the rows), then its cached items, its identity claim, its slot and its row. Used by
/// delete, by a connect that failed after reserving a slot, by a sync that lost to a delete, and to reclaim a slot
/// from a half-finished delete. Every step runs even if an earlier one failed, so a storage failure in one cannot
/// keep the slot held; each step is idempotent, so running it again finishes the job.
/// </summary>
public sealed class ConnectionCleanup(ConnectionStore store, ItemStore cache, ProviderCalls calls, ConnectionKeys keys, LegacyAccountKeys legacyKeys, ILogger<ConnectionCleanup> logger)
{
    /// <summary>A clean-up's own deadline: it runs on a fresh token, since the caller that triggered it may have gone.</summary>
    public static CancellationTokenSource Deadline() => new(TimeSpan.FromSeconds(30));

    /// <summary>Everything of the connection; the row goes last, only if every other step succeeded.</summary>
    /// <returns>True when nothing is left.</returns>
    /// <param name="keyIds">The connection's key ids to delete; a null id stands for the older layout's credentials secret.</param>
    public async Task<bool> RemoveAllAsync(string accountId, string connectionId, string identityHash, IReadOnlyCollection<string?> keyIds, CancellationToken ct)
    {
        var complete = await RemoveLeftoversAsync(accountId, connectionId, keyIds, ct).ConfigureAwait(false);
        complete &= await StepAsync("claim", connectionId, () => store.ReleaseClaimAsync(accountId, identityHash, connectionId, ct)).ConfigureAwait(false);
        complete &= await StepAsync("slot", connectionId, () => store.ReleaseSlotOfAsync(accountId, connectionId, ct)).ConfigureAwait(false);
        if (complete)
        {
            complete &= await StepAsync("row", connectionId, () => store.RemoveRowAsync(accountId, connectionId, ct)).ConfigureAwait(false);
        }

        return complete;
    }

    /// <summary>The keys and the cached items only: what a sync or re-connect wrote for a connection deleted meanwhile.</summary>
    public async Task<bool> RemoveLeftoversAsync(string accountId, string connectionId, IReadOnlyCollection<string?> keyIds, CancellationToken ct)
    {
        var complete = true;
        foreach (var keyId in keyIds.Distinct())
        {
            complete &= await StepAsync("key", connectionId, () => keyId is null
                ? calls.DeleteLegacyCredentialsAsync(connectionId, ct)
                : keys.DeleteAsync(connectionId, keyId, ct)).ConfigureAwait(false);
        }

        complete &= await StepAsync("items", connectionId, async () =>
        {
            var items = await cache.LoadConnectionAsync(accountId, connectionId, ct).ConfigureAwait(false);
            await cache.WriteAsync(accountId, [], items.SelectMany(item => ItemStore.RowsOf(accountId, item)).ToList(), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return complete;
    }

    /// <summary>
    /// After a connection's rows moved to a new key (re-connect, or the move from the older layout): deletes the key
    /// they were under. Once no connection of the account uses the older layout, its account-level key goes too.
    /// Failures are logged only: a key left behind opens nothing that is still stored.
    /// </summary>
    public async Task RetireKeyAsync(Connection current, string? previousKeyId, CancellationToken ct)
    {
        if (previousKeyId == current.KeyId)
        {
            return;
        }

        await StepAsync("previous key", current.ConnectionId, () => previousKeyId is null
            ? calls.DeleteLegacyCredentialsAsync(current.ConnectionId, ct)
            : keys.DeleteAsync(current.ConnectionId, previousKeyId, ct)).ConfigureAwait(false);
        if (previousKeyId is null)
        {
            await StepAsync("account key", current.ConnectionId, async () =>
            {
                var connections = await store.ListIncludingDeletingAsync(current.AccountId, ct).ConfigureAwait(false);
                if (connections.All(c => c.KeyId is not null))
                {
                    await legacyKeys.DeleteAsync(current.AccountId, ct).ConfigureAwait(false);
                    logger.LogInformation("Account {AccountId} no longer uses an account-level data key; deleted it", current.AccountId);
                }
            }).ConfigureAwait(false);
        }
    }

    private async Task<bool> StepAsync(string what, string connectionId, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning("Clean-up of connection {ConnectionId} could not remove its {What}: {ErrorType}", connectionId, what, ex.GetType().Name);
            return false;
        }
    }
}
