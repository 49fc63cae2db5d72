using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Vault.Core.Resync;

namespace Vault.Functions.Functions;

/// <summary>Background resync: the timer enqueues due connections, the queue trigger syncs each one.</summary>
public sealed class ResyncFunctions(ResyncPlanner planner, ResyncWorker worker, ILogger<ResyncFunctions> logger)
{
    [Function(nameof(ResyncTimer))]
    public Task ResyncTimer([TimerTrigger("%Vault:ResyncSchedule%")] TimerInfo timer, CancellationToken cancellationToken) =>
        planner.EnqueueDueAsync(cancellationToken);

    /// <summary>Throws on a transient failure so that the queue retries it (visibility, dequeue count, then poison queue).</summary>
    [Function(nameof(ResyncConnection))]
    public async Task ResyncConnection([QueueTrigger(ResyncOptions.DefaultQueueName)] QueueMessage message, CancellationToken cancellationToken)
    {
        var parsed = ResyncQueue.Parse(message.Body.ToString());
        if (parsed is null)
        {
            logger.LogWarning("Dropped a malformed resync message {MessageId}", message.MessageId);
            return;
        }

        var outcome = await worker.ProcessAsync(parsed, message.DequeueCount, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Resync of {ConnectionId}: {Outcome}", parsed.ConnectionId, outcome);
    }
}
