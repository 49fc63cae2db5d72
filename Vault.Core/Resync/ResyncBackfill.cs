using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Connections;
using Vault.Core.Storage;

namespace Vault.Core.Resync;

/// <summary>
/// The migration to the due-time index: connection rows written before it have no entry, so one scan of the connection
/// table gives each active one its entry (through <see cref="ConnectionStore.EnsureScheduledAsync"/>, under the row's
/// ETag). It runs in bounded steps on the timer's ticks (<see cref="ResyncOptions.BackfillRowsPerTick"/>), its
/// continuation persisted after every page (a row in the index table outside every shard's range), so a crash or a
/// timeout resumes where it stopped; once through, it is marked done and costs nothing again (the mark is read once per
/// instance). Meanwhile a pre-index row that is written for any other reason (a sync, a re-connect) is scheduled then.
/// </summary>
public sealed class ResyncBackfill(Tables tables, ConnectionStore connections, IOptions<ResyncOptions> options, ILogger<ResyncBackfill> logger)
{
    private const string StatePartition = "backfill";
    private const string StateRow = "connections";
    private const int PageSize = 1000;
    private const int WriteConcurrency = 16;
    private volatile bool _done;

    /// <summary>True once every connection row has been looked at (also when it was found so on an earlier run).</summary>
    public bool Done => _done;

    /// <summary>One step: pages of connection rows up to the per-tick budget; returns how many rows it scheduled.</summary>
    public async Task<int> StepAsync(CancellationToken ct)
    {
        if (_done)
        {
            return 0;
        }

        var table = await tables.ResyncDueAsync(ct).ConfigureAwait(false);
        var state = await table.GetEntityIfExistsAsync<TableEntity>(StatePartition, StateRow, cancellationToken: ct).ConfigureAwait(false);
        if (state.HasValue && state.Value!.GetBoolean("Done") == true)
        {
            _done = true;
            return 0;
        }

        var continuation = state.HasValue ? state.Value!.GetString("Continuation") : null;
        var (read, scheduled) = (0, 0);
        do
        {
            var (page, next) = await connections.ListAllPageAsync(continuation, PageSize, ct).ConfigureAwait(false);
            var unscheduled = page.Where(c => c.Status == ConnectionStatus.Active && c.DueSlot is null).ToList();
            await Parallel.ForEachAsync(unscheduled, new ParallelOptions { MaxDegreeOfParallelism = WriteConcurrency, CancellationToken = ct },
                async (connection, token) =>
                {
                    if (await connections.EnsureScheduledAsync(connection, token).ConfigureAwait(false))
                    {
                        Interlocked.Increment(ref scheduled);
                    }
                }).ConfigureAwait(false);
            read += page.Count;
            continuation = next;
            await table.UpsertEntityAsync(new TableEntity(StatePartition, StateRow)
            {
                ["Continuation"] = continuation, ["Done"] = continuation is null,
            }, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        }
        while (continuation is not null && read < options.Value.BackfillRowsPerTick);

        _done = continuation is null;
        logger.LogInformation("Resync backfill read {Read} connection rows and scheduled {Scheduled}; {State}", read, scheduled, _done ? "done" : "continues next tick");
        return scheduled;
    }
}
