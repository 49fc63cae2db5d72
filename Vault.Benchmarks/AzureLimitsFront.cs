using Vault.Testing.TableLimits;

namespace Vault.Benchmarks;

/// <summary>
/// <c>--azure-limits</c>: the benchmark's table requests go through <see cref="TableLimitsEmulator"/> at Azure's real
/// targets (2,000 entities/s per partition, 20,000 per account), since Azurite alone has no limits and flatters every
/// figure. It rewrites <c>AzureWebJobsStorage</c>'s TableEndpoint for the whole process, so the app host and the
/// benchmarks' own clients are throttled alike; queues still go straight to Azurite.
/// </summary>
public static class AzureLimitsFront
{
    public const string Flag = "--azure-limits";

    public static async Task<TableLimitsEmulator> StartAsync()
    {
        var emulator = await TableLimitsEmulator.StartAsync(Stats.StorageOrExit(), TableLimitsOptions.Azure);
        Environment.SetEnvironmentVariable("AzureWebJobsStorage", emulator.ConnectionString);
        Console.WriteLine($"Table Storage behind Azure's limits ({emulator.Options.PartitionEntitiesPerSecond:N0} entities/s per partition, " +
            $"{emulator.Options.AccountEntitiesPerSecond:N0} per account) at {emulator.TableEndpoint}");
        return emulator;
    }

    public static void PrintReport(TableLimitsEmulator emulator)
    {
        var report = emulator.Report();
        Console.WriteLine($"Table limits emulator: {report.Forwarded} requests forwarded, {report.Throttled} answered 503 ServerBusy, {report.Entities} entities metered; " +
            $"peak {report.PeakPartitionEntitiesPerSecond} entities/s in one partition ({report.PeakPartition?.ToString() ?? "none"}, limit {emulator.Options.PartitionEntitiesPerSecond:N0}), " +
            $"{report.PeakAccountEntitiesPerSecond} in the account (limit {emulator.Options.AccountEntitiesPerSecond:N0})");
    }
}
