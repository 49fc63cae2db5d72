using Azure;
using Azure.Data.Tables;

namespace Vault.Core.Storage;

/// <summary>
/// Read-modify-write of one entity shared by all instances (counters, windows): the new entity is computed from what is
/// stored and written only if nobody wrote in between (insert-if-absent or ETag match); otherwise it reads again.
/// </summary>
public static class OptimisticUpdate
{
    /// <param name="decide">From the stored entity (null: none yet), the entity to write (null: write nothing) and the result.</param>
    /// <exception cref="TimeoutException">Other writers won every attempt.</exception>
    public static async Task<T> RunAsync<T>(
        TableClient table, string partitionKey, string rowKey, Func<TableEntity?, (TableEntity? Write, T Result)> decide, int maxAttempts,
        CancellationToken ct)
    {
        for (var attempt = 0; attempt < maxAttempts; attempt++)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(partitionKey, rowKey, cancellationToken: ct).ConfigureAwait(false);
            var current = stored.HasValue ? stored.Value : null;
            var (write, result) = decide(current);
            if (write is null)
            {
                return result;
            }

            try
            {
                if (current is null)
                {
                    await table.AddEntityAsync(write, ct).ConfigureAwait(false);
                }
                else
                {
                    await table.UpdateEntityAsync(write, current.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
                }

                return result;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another writer came in between: read again, with a little jitter against lock-step.
                await Task.Delay(Random.Shared.Next(1, 5 + attempt), ct).ConfigureAwait(false);
            }
        }

        throw new TimeoutException($"Could not update a shared {table.Name} entity under contention.");
    }
}
