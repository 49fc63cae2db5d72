using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Core.Connections.Sync;

namespace Vault.Core.Resync;

/// <summary>What happened to one resync message.</summary>
public enum ResyncOutcome
{
    Synced,
    SkippedDeleted,
    SkippedReconnectRequired,
    SkippedNotDue,
    Deferred,
    ReconnectRequired,

    /// <summary>The vault uses an encryption this client cannot read yet: recorded on the connection, not retried by the queue.</summary>
    UnsupportedEncryption,
}

/// <summary>A transient failure: the queue makes the message visible again later and counts the try.</summary>
public sealed class ResyncRetryException(string message) : Exception(message);

/// <summary>
/// What the queue trigger does with one message: the same sync as <c>POST /v1/vault/items/sync</c>, within the provider
/// budgets; deferred when the budget or the provider says wait; retried by the queue on transient failures; never
/// retried on rejected credentials.
/// </summary>
public sealed class ResyncWorker(
    ConnectionStore connections,
    SyncService sync,
    SyncBudgets budgets,
    ResyncQueue queue,
    ResyncSchedule schedule,
    IOptions<ResyncOptions> options,
    TimeProvider clock,
    ILogger<ResyncWorker> logger)
{
    public async Task<ResyncOutcome> ProcessAsync(ResyncMessage message, long dequeueCount, CancellationToken ct)
    {
        var connection = await connections.GetAsync(message.AccountId, message.ConnectionId, ct).ConfigureAwait(false);
        if (connection is null)
        {
            logger.LogDebug("Resync of {ConnectionId} skipped: the connection was deleted", message.ConnectionId);
            return ResyncOutcome.SkippedDeleted;
        }

        if (connection.Status == ConnectionStatus.ReconnectRequired)
        {
            return ResyncOutcome.SkippedReconnectRequired;
        }

        var last = connection.LastSyncedAt ?? connection.CreatedAt;
        var now = clock.GetUtcNow();
        var wanted = message.Early == true
            ? schedule.IsStale(connection, now)
            : schedule.IsDue(connection.ConnectionId, last, connection.RetryAt, now);
        if (dequeueCount <= 1 && !wanted)
        {
            // Synced since it was enqueued (by the user, another instance's early resync, or a duplicate message), or
            // backing off after failures. A redelivery is the queue retrying this message's own failed try, and goes
            // ahead. The entry is written again where the row says: this heals one lost on the way (one write).
            try
            {
                await connections.EnsureScheduledAsync(connection, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (Storage.StorageFailures.IsBackingServiceFailure(ex))
            {
                logger.LogWarning("Could not re-write the due entry of {ConnectionId}: {ErrorType}", connection.ConnectionId, ex.GetType().Name);
            }

            return ResyncOutcome.SkippedNotDue;
        }

        if (await budgets.TryTakeAsync(connection, ct).ConfigureAwait(false) is { } nextWindow)
        {
            await queue.SendAsync(message, nextWindow - clock.GetUtcNow() + TimeSpan.FromSeconds(Random.Shared.Next(1, 30)), ct).ConfigureAwait(false);
            logger.LogInformation("Resync of {ConnectionId} put off until {NextWindow}: provider budget spent", connection.ConnectionId, nextWindow);
            return ResyncOutcome.Deferred;
        }

        var outcome = await sync.SyncConnectionAsync(connection, ct).ConfigureAwait(false);
        if (outcome.Synced)
        {
            return ResyncOutcome.Synced;
        }

        if (outcome.NeedsReconnect)
        {
            return ResyncOutcome.ReconnectRequired;
        }

        if (outcome.Error?.Code == ErrorCodes.NotFound)
        {
            return ResyncOutcome.SkippedDeleted;
        }

        if (outcome.Error?.Code is ErrorCodes.UnsupportedVaultEncryption or ErrorCodes.VaultTooLarge)
        {
            // Retrying cannot help until this service reads the format; the error is on the connection.
            return ResyncOutcome.UnsupportedEncryption;
        }

        if (outcome.RetryAfter is { } wait)
        {
            // The provider asked us to wait: do, without spending a try.
            await queue.SendAsync(message, wait, ct).ConfigureAwait(false);
            return ResyncOutcome.Deferred;
        }

        if (dequeueCount >= options.Value.MaxDequeueCount)
        {
            await connections.TryUpdateAsync(outcome.Connection with
            {
                LastError = outcome.Error! with
                {
                    Message = $"Background resync gave up after {dequeueCount} tries: {outcome.Error.Message}",
                },
            }, ct).ConfigureAwait(false);
        }

        throw new ResyncRetryException($"Resync of {connection.ConnectionId} failed ({outcome.Error!.Code}); try {dequeueCount} of {options.Value.MaxDequeueCount}.");
    }
}
