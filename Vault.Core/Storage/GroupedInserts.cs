using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;

namespace Vault.Core.Storage;

/// <summary>
/// Inserts of new rows that many concurrent calls make into one partition (a run's audit rows, read by many agent calls
/// at once), sent together: the rows of callers that arrive while an insert of their partition is in flight go as the next
/// entity-group transaction (at most <see cref="MaxRowsPerTransaction"/>, Table Storage's limit). Each caller still
/// returns only once its own row is stored, and fails when it is not, so "written before the call is answered" keeps
/// holding; what changes is that 50 concurrent calls cost a few round trips instead of 50.
/// <para>
/// Rows must be keyed so that only an earlier try of the same write can already hold the key: an existing row is
/// then that write, landed, and counts as inserted (a transaction that meets one is repeated row by row to tell).
/// </para>
/// </summary>
public sealed class GroupedInserts
{
    public const int MaxRowsPerTransaction = 100;
    private readonly CallGroups<(string Table, string Partition), (TableClient Table, TableEntity Row), bool> _groups;

    public GroupedInserts() => _groups = new(InsertGroupAsync, MaxRowsPerTransaction);

    /// <summary>Stores <paramref name="row"/>, alone or with the concurrent inserts of its partition.</summary>
    public Task InsertAsync(TableClient table, TableEntity row, CancellationToken ct) =>
        _groups.CallAsync((table.Name, row.PartitionKey), (table, row), ct);

    private static async Task InsertGroupAsync(
        (string Table, string Partition) key, IReadOnlyList<GroupedCall<(TableClient Table, TableEntity Row), bool>> group, CancellationToken ct)
    {
        var table = group[0].Input.Table;
        if (group.Count == 1)
        {
            await InsertOneAsync(group[0], ct).ConfigureAwait(false);
            return;
        }

        try
        {
            await table.SubmitTransactionAsync(group.Select(c => new TableTransactionAction(TableTransactionActionType.Add, c.Input.Row)), ct)
                .ConfigureAwait(false);
            foreach (var call in group)
            {
                call.Succeed(true);
            }
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // One row was already there (an earlier try of its own write): nothing of this transaction was stored.
            foreach (var call in group)
            {
                await InsertOneAsync(call, ct).ConfigureAwait(false);
            }
        }
    }

    private static async Task InsertOneAsync(GroupedCall<(TableClient Table, TableEntity Row), bool> call, CancellationToken ct)
    {
        try
        {
            await call.Input.Table.AddEntityAsync(call.Input.Row, ct).ConfigureAwait(false);
            call.Succeed(true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            call.Succeed(true);
        }
        catch (Exception ex)
        {
            call.Fail(ex);
        }
    }
}
