namespace Vault.Testing.TableLimits;

/// <summary>
/// How one request counts against the limits. The rule (Azure meters entities, not requests):
/// <list type="bullet">
/// <item>a single-entity operation (insert, upsert, merge, replace, delete, point read) is 1 entity of its partition;</item>
/// <item>an entity-group transaction (<c>$batch</c>) is one entity per operation of its changeset, each of its own
/// partition (Azure requires one partition per batch);</item>
/// <item>a query is admitted while its partition (when its filter names exactly one <c>PartitionKey eq</c>, else the
/// account alone) holds an entity, and is charged the entities it returned, at least 1, once its answer is read:
/// its cost is only known then, as on Azure, where a page of 1,000 entities counts 1,000;</item>
/// <item>table and service operations (create or list tables, properties) are not metered.</item>
/// </list>
/// Every entity also counts against the account.
/// </summary>
internal sealed record TableOperation(IReadOnlyDictionary<PartitionId, int> Charges, bool IsQuery, PartitionId? QueryPartition)
{
    public static readonly TableOperation Unmetered = new(new Dictionary<PartitionId, int>(), false, null);

    public bool IsMetered => IsQuery || Charges.Count > 0;

    public static TableOperation Entity(PartitionId partition) => new(new Dictionary<PartitionId, int> { [partition] = 1 }, false, null);

    public static TableOperation Query(PartitionId? partition) => new(new Dictionary<PartitionId, int>(), true, partition);
}
