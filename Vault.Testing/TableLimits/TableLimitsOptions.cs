namespace Vault.Testing.TableLimits;

/// <summary>
/// The rates <see cref="TableLimitsEmulator"/> enforces. The defaults are Azure's published scalability targets for
/// Table Storage (https://learn.microsoft.com/azure/storage/tables/scalability-targets): 2,000 entities/s per
/// partition (a table and partition key), 20,000 per storage account. Tests tighten them with <see cref="Scaled"/> so a
/// burst of a few hundred entities meets them within a second.
/// </summary>
public sealed record TableLimitsOptions
{
    public const double AzurePartitionEntitiesPerSecond = 2_000;
    public const double AzureAccountEntitiesPerSecond = 20_000;

    /// <summary>Azure's targets, as the benchmarks run behind them.</summary>
    public static TableLimitsOptions Azure { get; } = new();

    public double PartitionEntitiesPerSecond { get; init; } = AzurePartitionEntitiesPerSecond;

    public double AccountEntitiesPerSecond { get; init; } = AzureAccountEntitiesPerSecond;

    /// <summary>Both rates times <paramref name="factor"/> (0.025 = 50 and 500 entities/s).</summary>
    public TableLimitsOptions Scaled(double factor) =>
        factor > 0 && double.IsFinite(factor)
            ? this with { PartitionEntitiesPerSecond = PartitionEntitiesPerSecond * factor, AccountEntitiesPerSecond = AccountEntitiesPerSecond * factor }
            : throw new ArgumentOutOfRangeException(nameof(factor), factor, "The factor must be a positive number.");

    internal void Validate()
    {
        if (!(PartitionEntitiesPerSecond >= 1) || !(AccountEntitiesPerSecond >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(PartitionEntitiesPerSecond), "Both limits must be at least 1 entity a second.");
        }
    }
}
