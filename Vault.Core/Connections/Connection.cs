namespace Vault.Core.Connections;

public static class ConnectionStatus
{
    public const string Active = "active";
    public const string ReconnectRequired = "reconnect_required";

    /// <summary>Internal: a delete has begun; the row is hidden from every read until its clean-up removes it.</summary>
    internal const string Deleting = "deleting";
}

/// <summary>A connection's last error, as the contract shows it.</summary>
public sealed record ConnectionError(string Code, string Message, DateTimeOffset At);

/// <summary>A connected password manager.</summary>
public sealed record Connection(
    string AccountId,
    string ConnectionId,
    string Provider,
    string Status,
    string Label,
    string? ServerUrl,
    int ItemCount,
    IReadOnlyList<string> Vaults,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastSyncedAt,
    ConnectionError? LastError,
    string IdentityHash)
{
    /// <summary>The row's ETag when read: every change of the row is conditional on it.</summary>
    public string? ETag { get; init; }

    /// <summary>The connection's data key (<see cref="Storage.ConnectionKey.KeyId"/>); null for a row of the layout before it.</summary>
    public string? KeyId { get; init; }

    /// <summary>The provider credentials, sealed under the connection's key (see <see cref="ProviderCalls"/>).</summary>
    public byte[]? SealedCredentials { get; init; }

    /// <summary>What the provider's limits count by, when not the identity (<see cref="Snapshots.VaultSnapshot.BudgetScope"/>).</summary>
    public string? BudgetScope { get; init; }

    /// <summary>Syncs that failed in a row (not counting rejected credentials, which stop resyncs altogether).</summary>
    public int FailureCount { get; init; }

    /// <summary>
    /// When background resync tries this connection again after failures (1 h, 2 h, 4 h… up to the resync interval);
    /// null when the last sync succeeded (it is then due by its interval).
    /// </summary>
    public DateTimeOffset? RetryAt { get; init; }

    /// <summary>
    /// The partition of the connection's entry in the resync due-time index (<see cref="ResyncDueIndex"/>), kept by
    /// <see cref="ConnectionStore"/> on every write; null when it has none (not active, or a row written before the
    /// index, until the backfill or its next write schedules it).
    /// </summary>
    public string? DueSlot { get; init; }

    /// <summary>Backoff after <paramref name="failures"/> failed syncs in a row: 1 h doubled per failure, at most <paramref name="interval"/>.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan interval)
    {
        var hours = Math.Pow(2, Math.Clamp(failures - 1, 0, 20));
        var backoff = TimeSpan.FromHours(hours);
        return backoff < interval ? backoff : interval;
    }
}
