using Microsoft.Extensions.Logging;
using Vault.Core.Items;

namespace Vault.Core.Connections;

/// <summary>
/// Removes what a connection left: its secret, its cached items, its identity claim, its slot and its row. Used by
/// delete, by a connect that failed after reserving a slot, by a sync that lost to a delete, and to reclaim a slot
/// from a half-finished delete. Every step runs even if an earlier one failed, so a storage failure in one cannot
/// keep the slot held; each step is idempotent, so running it again finishes the job.
/// </summary>
public sealed class ConnectionCleanup(ConnectionStore store, ItemCache cache, ProviderCalls calls, ILogger<ConnectionCleanup> logger)
{
    /// <summary>A clean-up's own deadline: it runs on a fresh token, since the caller that triggered it may have gone.</summary>
    public static CancellationTokenSource Deadline() => new(TimeSpan.FromSeconds(30));

    /// <summary>Everything of the connection; the row goes last, only if every other step succeeded.</summary>
    /// <returns>True when nothing is left.</returns>
    public async Task<bool> RemoveAllAsync(string accountId, string connectionId, string identityHash, CancellationToken ct)
    {
        var complete = await RemoveLeftoversAsync(accountId, connectionId, ct).ConfigureAwait(false);
        complete &= await StepAsync("claim", connectionId, () => store.ReleaseClaimAsync(accountId, identityHash, connectionId, ct)).ConfigureAwait(false);
        complete &= await StepAsync("slot", connectionId, () => store.ReleaseSlotOfAsync(accountId, connectionId, ct)).ConfigureAwait(false);
        if (complete)
        {
            complete &= await StepAsync("row", connectionId, () => store.RemoveRowAsync(accountId, connectionId, ct)).ConfigureAwait(false);
        }

        return complete;
    }

    /// <summary>The secret and the cached items only: what a sync or re-connect wrote for a connection deleted meanwhile.</summary>
    public async Task<bool> RemoveLeftoversAsync(string accountId, string connectionId, CancellationToken ct)
    {
        var complete = await StepAsync("secret", connectionId, () => calls.DeleteSecretAsync(connectionId, ct)).ConfigureAwait(false);
        complete &= await StepAsync("items", connectionId, async () =>
        {
            var items = await cache.LoadConnectionAsync(accountId, connectionId, ct).ConfigureAwait(false);
            await cache.WriteAsync(accountId, [], items.SelectMany(ItemCache.RowKeysOf).ToList(), ct).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return complete;
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
