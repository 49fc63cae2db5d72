using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Domains;
using Vault.Core.Items;
using Vault.Core.Storage;

namespace Vault.Core.Runs;

/// <summary>
/// Runs in Table Storage, partitioned by run id so the agent runtime's call (run id + token, no account) is a point
/// read of the <c>run</c> row. The grant is stored beside it, one small row per item, so no row grows with the grant
/// (a whole vault of any size stays far from Table Storage's 64 KiB property limit) and every read is a range:
/// <c>g|position</c> rows hold what the API shows (in grant order), <c>d|domain|itemId</c> rows index the grant by
/// registrable domain for the credential route, and <c>d|*|itemId</c> lists items with a URI whose match rule
/// (starts-with, exact, regular expression) may apply to other domains, which are checked on every such read.
/// </summary>
public sealed class RunStore(Tables tables)
{
    /// <summary>
    /// How long an instance may keep a run row it read. The row changes once at most (revocation), so a revoke that
    /// waits this long before answering knows every instance refuses the token; the agent runtime's repeated calls
    /// cost one run read a second per instance.
    /// </summary>
    public static readonly TimeSpan HeadLifetime = TimeSpan.FromSeconds(1);

    // The grant never changes once written (a run is visible only when whole), so an instance keeps what it read.
    // Deleted or disabled items are still caught, because the items themselves are read fresh on every call.
    private readonly FreshValues<string, (Run Run, string TokenHash)> _heads = new(10_000, HeadLifetime);
    private readonly RecentValues<(string RunId, string Domain), IReadOnlyList<string>> _grantByDomain = new(10_000);

    private const string RunRow = "run";
    private const string GrantPrefix = "g|";
    private const string DomainPrefix = "d|";
    private const string AnyDomain = "*";
    private const int ParallelBatches = 8;

    /// <summary>
    /// A grant of more items than this is spread over <see cref="LargeGrantBuckets"/> partitions: a whole 5,000-item vault
    /// is about 15,000 grant rows, 7.5 s of one partition's 2,000 entities a second. Smaller grants keep the run's own
    /// partition (runs written before buckets all did), so reading them costs no more queries than before.
    /// </summary>
    public const int OnePartitionGrantItems = 256;

    public const int LargeGrantBuckets = 8;

    public static int GrantBucketsFor(int grantedItems) => grantedItems > OnePartitionGrantItems ? LargeGrantBuckets : 1;

    private static string GrantPartition(string runId, int buckets, string itemId) =>
        buckets == 1 ? runId : runId + "|" + PartitionBatches.BucketOf(itemId, buckets).ToString(CultureInfo.InvariantCulture);

    private static IEnumerable<string> GrantPartitions(Run run) =>
        run.GrantBuckets == 1 ? [run.RunId] : Enumerable.Range(0, run.GrantBuckets).Select(b => run.RunId + "|" + b.ToString(CultureInfo.InvariantCulture));

    /// <summary>
    /// Items of one run listed under <c>d|*|</c> (URIs whose text rule may apply to any domain): every read by domain
    /// checks them all, so they are bounded. Items beyond keep their domain rows, if any.
    /// </summary>
    public const int MaxAnyDomainItems = 1000;

    /// <summary>
    /// Writes the grant rows, then the run row: a run is visible only once its whole grant is stored. Returns how many
    /// granted items with a text rule were left out of the any-domain list (over <see cref="MaxAnyDomainItems"/>).
    /// </summary>
    public async Task<int> AddAsync(Run run, string tokenHash, IReadOnlyList<CachedItem> granted, CancellationToken ct)
    {
        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        var rows = new List<TableEntity>();
        var buckets = run.GrantBuckets; // decided once, by the caller (GrantBucketsFor), and stored on the run row below
        var anyDomainItems = 0;
        var leftOut = 0;
        for (var i = 0; i < granted.Count; i++)
        {
            var item = granted[i];
            var itemKey = TableKeys.Escape(item.ItemId);
            var partition = GrantPartition(run.RunId, buckets, item.ItemId);
            rows.Add(new TableEntity(partition, GrantPrefix + i.ToString("D6", CultureInfo.InvariantCulture))
            {
                ["ItemId"] = item.ItemId,
                ["Label"] = item.Data.Label,
                ["Username"] = item.Data.Username,
                ["Domains"] = JsonSerializer.Serialize(item.Data.Domains.ToList(), RunJson.Default.ListString),
            });
            var domains = item.Data.Domains.AsEnumerable();
            if (item.Data.Uris.Any(u => u.Match is UriMatch.StartsWith or UriMatch.Exact or UriMatch.RegularExpression))
            {
                if (anyDomainItems++ < MaxAnyDomainItems)
                {
                    domains = domains.Append(AnyDomain);
                }
                else
                {
                    leftOut++;
                }
            }

            rows.AddRange(domains.Distinct(StringComparer.Ordinal)
                // The any-domain list (bounded) stays in the run's own partition: every read by domain reads it whole.
                .Select(domain => new TableEntity(domain == AnyDomain ? run.RunId : partition, DomainPrefix + domain + "|" + itemKey) { ["ItemId"] = item.ItemId }));
        }

        var adds = rows.Select(e => new TableTransactionAction(TableTransactionActionType.Add, e));
        await Parallel.ForEachAsync(PartitionBatches.Interleaved(adds), new ParallelOptions { MaxDegreeOfParallelism = ParallelBatches, CancellationToken = ct },
            async (batch, token) => await table.SubmitTransactionAsync(batch, token).ConfigureAwait(false)).ConfigureAwait(false);

        await table.AddEntityAsync(new TableEntity(run.RunId, RunRow)
        {
            ["AccountId"] = run.AccountId,
            ["Status"] = run.Status,
            ["Url"] = run.Url,
            ["GrantAll"] = run.GrantAll,
            ["GrantCount"] = run.GrantCount,
            ["GrantBuckets"] = buckets,
            ["TokenHash"] = tokenHash,
            ["CreatedAt"] = run.CreatedAt,
            ["ExpiresAt"] = run.ExpiresAt,
            ["CreatedByKeyId"] = run.CreatedByKeyId,
        }, ct).ConfigureAwait(false);
        return leftOut;
    }

    /// <summary>Marks the run revoked (idempotent: the only change a run row ever gets).</summary>
    public async Task RevokeAsync(string runId, DateTimeOffset at, CancellationToken ct)
    {
        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        await table.UpdateEntityAsync(new TableEntity(runId, RunRow) { ["Status"] = RunStatus.Revoked, ["RevokedAt"] = at }, ETag.All,
            TableUpdateMode.Merge, ct).ConfigureAwait(false);
        _heads.Forget(runId);
    }

    /// <summary>The run and its token hash (one point read, or none within <see cref="HeadLifetime"/> of the last), or null.</summary>
    public async Task<(Run Run, string TokenHash)?> GetAsync(string runId, CancellationToken ct)
    {
        if (runId.Length > 64 || runId.AsSpan().IndexOfAny("/\\#?'") >= 0 || runId.Any(char.IsControl))
        {
            return null;
        }

        if (_heads.TryGet(runId, out var known))
        {
            return known;
        }

        var readStarted = FreshValues<string, (Run, string)>.Now;
        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(runId, RunRow, cancellationToken: ct).ConfigureAwait(false);
        if (!stored.HasValue)
        {
            return null; // not remembered: the run may be in the middle of being created
        }

        var head = stored.Value!;
        var run = new Run(runId, head.GetString("AccountId"), head.GetString("Status"), head.GetString("Url"), head.GetBoolean("GrantAll") ?? false,
            head.GetInt32("GrantCount") ?? 0, head.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue, head.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue,
            head.GetString("CreatedByKeyId")) { GrantBuckets = head.GetInt32("GrantBuckets") ?? 1 };
        return _heads.Put(runId, (run, head.GetString("TokenHash")), readStarted);
    }

    /// <summary>The granted credentials in grant order (one range query per grant partition, merged by row key).</summary>
    public async Task<List<GrantedCredential>> ReadGrantAsync(Run run, CancellationToken ct)
    {
        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        var parts = await Task.WhenAll(GrantPartitions(run).Select(async partition =>
        {
            var rows = new List<(string RowKey, GrantedCredential Credential)>();
            await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(partition, GrantPrefix), maxPerPage: 1000, cancellationToken: ct).ConfigureAwait(false))
            {
                rows.Add((entity.RowKey, new GrantedCredential(entity.GetString("ItemId"), entity.GetString("Label"), entity.GetString("Username"),
                    JsonSerializer.Deserialize(entity.GetString("Domains") ?? "[]", RunJson.Default.ListString) ?? [])));
            }

            return rows;
        })).ConfigureAwait(false);
        return parts.SelectMany(p => p).OrderBy(row => row.RowKey, StringComparer.Ordinal).Select(row => row.Credential).ToList();
    }

    /// <summary>
    /// Ids of the granted items that may match <paramref name="registrableDomain"/> (range queries of the domain index;
    /// the caller applies each URI's match rule), or of every granted item when it is null.
    /// </summary>
    public async Task<IReadOnlyList<string>> GrantedItemIdsAsync(Run run, string? registrableDomain, CancellationToken ct)
    {
        if (registrableDomain is null)
        {
            return (await ReadGrantAsync(run, ct).ConfigureAwait(false)).Select(g => g.ItemId).ToList();
        }

        var runId = run.RunId;
        if (_grantByDomain.TryGet((runId, registrableDomain), out var known))
        {
            return known;
        }

        var table = await tables.RunsAsync(ct).ConfigureAwait(false);
        async Task<List<string>> IdsAsync(string partition, string domain)
        {
            var ids = new List<string>();
            await foreach (var entity in table.QueryAsync<TableEntity>(TableKeys.PrefixFilter(partition, DomainPrefix + domain + "|"), maxPerPage: 1000,
                select: ["ItemId"], cancellationToken: ct).ConfigureAwait(false))
            {
                ids.Add(entity.GetString("ItemId"));
            }

            return ids;
        }

        var found = await Task.WhenAll(GrantPartitions(run).Select(partition => IdsAsync(partition, registrableDomain)).Append(IdsAsync(run.RunId, AnyDomain)))
            .ConfigureAwait(false);
        return _grantByDomain.Put((runId, registrableDomain), found.SelectMany(ids => ids).Distinct(StringComparer.Ordinal).ToList());
    }
}
