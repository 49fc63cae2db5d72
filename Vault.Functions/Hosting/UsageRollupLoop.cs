using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Vault.Core.Accounts;

namespace Vault.Functions.Hosting;

/// <summary>
/// The background step of metering, in every instance (Functions worker and standalone alike): every
/// <see cref="Interval"/> it rolls up the accounts this instance metered. Correctness does not depend on it (a usage
/// read counts the counter rows above the watermark and catches a lagging account up itself); it keeps reads small.
/// </summary>
public sealed class UsageRollupLoop(UsageRollup rollup, TimeProvider clock, ILogger<UsageRollupLoop> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(Interval, clock, stoppingToken).ConfigureAwait(false);
            try
            {
                await rollup.RollUpPendingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError("Usage rollup round failed: {ErrorType}", ex.GetType().Name);
            }
        }
    }
}
