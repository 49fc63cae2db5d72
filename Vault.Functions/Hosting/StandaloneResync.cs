using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;
using Vault.Core;
using Vault.Core.Resync;
using Vault.Functions.Functions;

namespace Vault.Functions.Hosting;

/// <summary>
/// Standalone mode's stand-in for the Functions timer and queue triggers: runs <see cref="ResyncFunctions"/> in-process
/// on the same schedule against the same Storage queue, with the queue trigger's semantics (a failed message becomes
/// visible again later; after the last try it moves to the poison queue).
/// </summary>
public sealed class StandaloneResync(
    IServiceScopeFactory scopes,
    ResyncQueue queue,
    IOptions<VaultOptions> vaultOptions,
    IOptions<ResyncOptions> options,
    TimeProvider clock,
    ILogger<StandaloneResync> logger) : BackgroundService
{
    private static readonly TimeSpan Processing = TimeSpan.FromMinutes(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(RunTimerAsync(stoppingToken), RunQueueAsync(stoppingToken));

    private async Task RunTimerAsync(CancellationToken ct)
    {
        var schedule = CrontabSchedule.Parse(vaultOptions.Value.ResyncSchedule!, // checked at start-up (ResyncScheduleValidator)
            new CrontabSchedule.ParseOptions { IncludingSeconds = true });
        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow().UtcDateTime;
            var next = schedule.GetNextOccurrence(now);
            await Task.Delay(next - now, clock, ct).ConfigureAwait(false);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ResyncFunctions>().ResyncTimer(new TimerInfo(), ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError("Resync timer failed: {ErrorType}", ex.GetType().Name);
            }
        }
    }

    private async Task RunQueueAsync(CancellationToken ct)
    {
        var idle = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var handled = await PumpOnceAsync(ct).ConfigureAwait(false);
                idle = handled > 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Min(10, idle.TotalSeconds * 2));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Resync queue poll failed: {ErrorType}", ex.GetType().Name);
                idle = TimeSpan.FromSeconds(10);
            }

            await Task.Delay(idle, clock, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Receives and handles one batch; returns how many messages it handled.</summary>
    public async Task<int> PumpOnceAsync(CancellationToken ct)
    {
        var client = await queue.QueueAsync().ConfigureAwait(false);
        QueueMessage[] messages = await client.ReceiveMessagesAsync(8, Processing, ct).ConfigureAwait(false);
        await Task.WhenAll(messages.Select(m => HandleAsync(m, ct))).ConfigureAwait(false);
        return messages.Length;
    }

    private async Task HandleAsync(QueueMessage message, CancellationToken ct)
    {
        var client = await queue.QueueAsync().ConfigureAwait(false);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ResyncFunctions>().ResyncConnection(message, ct).ConfigureAwait(false);
            await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (message.DequeueCount >= options.Value.MaxDequeueCount)
            {
                var poison = await queue.PoisonAsync().ConfigureAwait(false);
                await poison.SendMessageAsync(message.Body, cancellationToken: ct).ConfigureAwait(false);
                await client.DeleteMessageAsync(message.MessageId, message.PopReceipt, ct).ConfigureAwait(false);
                logger.LogWarning("Resync message {MessageId} moved to the poison queue after {Count} tries", message.MessageId, message.DequeueCount);
            }
            else
            {
                var delay = options.Value.RetryBaseDelay * Math.Pow(2, message.DequeueCount - 1);
                await client.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: delay, cancellationToken: ct).ConfigureAwait(false);
                logger.LogInformation("Resync message {MessageId} will be retried in {Delay} ({ErrorType})", message.MessageId, delay, ex.GetType().Name);
            }
        }
    }
}
