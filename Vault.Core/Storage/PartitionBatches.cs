using Azure.Data.Tables;

namespace Vault.Core.Storage;

/// <summary>
/// Entity-group transactions for rows of many partitions: each batch holds up to 100 rows of one partition (what Table
/// Storage allows), and the batches come from the partitions in turn, so batches sent at once write different
/// partitions (each of which Azure serves at about 2,000 entities a second).
/// </summary>
public static class PartitionBatches
{
    public const int MaxBatchSize = 100;

    /// <summary>The first batch of every partition, then the second of every one, and so on.</summary>
    public static IEnumerable<TableTransactionAction[]> Interleaved(IEnumerable<TableTransactionAction> actions)
    {
        var perPartition = actions.GroupBy(a => a.Entity.PartitionKey, StringComparer.Ordinal).Select(g => g.Chunk(MaxBatchSize).ToList()).ToList();
        for (var round = 0; perPartition.Any(batches => round < batches.Count); round++)
        {
            foreach (var batches in perPartition.Where(batches => round < batches.Count))
            {
                yield return batches[round];
            }
        }
    }

    /// <summary>A stable bucket in [0, <paramref name="buckets"/>) for a key (a hash, so keys spread evenly).</summary>
    public static int BucketOf(string key, int buckets)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key), hash);
        return hash[0] % buckets;
    }
}
