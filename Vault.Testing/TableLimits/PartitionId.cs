namespace Vault.Testing.TableLimits;

/// <summary>A Table Storage partition: the unit of Azure's per-partition target is a table's partition key.</summary>
public readonly record struct PartitionId(string Table, string PartitionKey)
{
    public override string ToString() => $"{Table}/{PartitionKey}";
}
