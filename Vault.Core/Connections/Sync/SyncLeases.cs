using Vault.Core.Storage;

namespace Vault.Core.Connections.Sync;

/// <summary>
/// One sync per connection at a time, across instances (<see cref="TableLeases"/>). Each connection's lease is its own
/// partition, so syncs of different connections never meet in one partition (one shared partition would cap the whole
/// service near 2,000 lease operations a second).
/// </summary>
public sealed class SyncLeases(TableLeases leases)
{
    private static string Name(string connectionId) => "sync|" + connectionId;

    public Task<string?> TryAcquireAsync(string connectionId, TimeSpan duration, CancellationToken ct) =>
        leases.TryAcquireAsync(Name(connectionId), duration, ct);

    /// <summary>Polls for the lease until <paramref name="wait"/> has passed; null when another holder kept it.</summary>
    public Task<string?> WaitAsync(string connectionId, TimeSpan wait, TimeSpan duration, CancellationToken ct) =>
        leases.WaitAsync(Name(connectionId), wait, duration, ct);

    /// <summary>Whether someone holds an unexpired lease on the connection.</summary>
    public Task<bool> IsHeldAsync(string connectionId, CancellationToken ct) => leases.IsHeldAsync(Name(connectionId), ct);

    /// <summary>Releases without throwing: a lease that cannot be released expires by itself.</summary>
    public Task ReleaseQuietlyAsync(string connectionId, string holder) => leases.ReleaseQuietlyAsync(Name(connectionId), holder);

    public Task ReleaseAsync(string connectionId, string holder, CancellationToken ct) => leases.ReleaseAsync(Name(connectionId), holder, ct);
}
