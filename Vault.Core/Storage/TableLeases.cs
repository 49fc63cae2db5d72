using Azure;
using Azure.Data.Tables;
using Vault.Core.Storage;

namespace Vault.Core.Storage;

/// <summary>
/// One holder at a time across instances: a lease row with an expiry, taken with insert-if-absent or an ETag-conditional
/// update of an expired lease, so a crashed holder blocks others only until its lease expires. Each lease is its own
/// partition (the name), so no partition of the leases table is shared by unrelated work.
/// </summary>
public sealed class TableLeases(Tables tables, TimeProvider clock)
{
    private const string Row = "lease";

    public async Task<string?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken ct)
    {
        var table = await tables.LeasesAsync(ct).ConfigureAwait(false);
        var holder = Guid.NewGuid().ToString("N");
        var lease = new TableEntity(name, Row) { ["Holder"] = holder, ["ExpiresAt"] = clock.GetUtcNow() + duration };
        try
        {
            await table.AddEntityAsync(lease, ct).ConfigureAwait(false);
            return holder;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
        }

        var current = await table.GetEntityIfExistsAsync<TableEntity>(name, Row, cancellationToken: ct).ConfigureAwait(false);
        if (!current.HasValue)
        {
            return null;
        }

        if (current.Value!.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt > clock.GetUtcNow())
        {
            return null;
        }

        try
        {
            await table.UpdateEntityAsync(lease, current.Value.ETag, TableUpdateMode.Replace, ct).ConfigureAwait(false);
            return holder;
        }
        catch (RequestFailedException ex) when (ex.Status is 412 or 404)
        {
            return null;
        }
    }

    /// <summary>Polls for the lease until <paramref name="wait"/> has passed; null when another holder kept it.</summary>
    public async Task<string?> WaitAsync(string name, TimeSpan wait, TimeSpan duration, CancellationToken ct)
    {
        var deadline = clock.GetUtcNow() + wait;
        while (true)
        {
            var holder = await TryAcquireAsync(name, duration, ct).ConfigureAwait(false);
            if (holder is not null || clock.GetUtcNow() >= deadline)
            {
                return holder;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), clock, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Whether someone holds an unexpired lease of this name.</summary>
    public async Task<bool> IsHeldAsync(string name, CancellationToken ct)
    {
        var table = await tables.LeasesAsync(ct).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(name, Row, cancellationToken: ct).ConfigureAwait(false);
        return current.HasValue && current.Value!.GetDateTimeOffset("ExpiresAt") is { } expiresAt && expiresAt > clock.GetUtcNow();
    }

    /// <summary>Releases without throwing: a lease that cannot be released expires by itself.</summary>
    public async Task ReleaseQuietlyAsync(string name, string holder)
    {
        try
        {
            await ReleaseAsync(name, holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
        }
    }

    public async Task ReleaseAsync(string name, string holder, CancellationToken ct)
    {
        var table = await tables.LeasesAsync(ct).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(name, Row, cancellationToken: ct).ConfigureAwait(false);
        if (current.HasValue && current.Value!.GetString("Holder") == holder)
        {
            try
            {
                await table.DeleteEntityAsync(name, Row, current.Value.ETag, ct).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
            }
        }
    }
}
