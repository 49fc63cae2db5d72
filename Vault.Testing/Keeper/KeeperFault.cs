namespace Vault.Testing.Keeper;

/// <summary>A failure rule; the first matching one applies to each request.</summary>
public sealed class KeeperFault
{
    public required KeeperFaultKind Kind { get; init; }
    public int Status { get; init; } = 500;
    public string? Error { get; init; }
    public int RetryAfterSeconds { get; init; } = 30;
    public long Bytes { get; init; }
    public TimeSpan? Delay { get; init; }

    /// <summary>Requests still to fail (-1: all).</summary>
    public int Remaining { get; set; } = -1;

    /// <summary>Matching requests to let through first.</summary>
    public int Skip { get; set; }

    /// <summary>Only requests with (true) or without (false) a public key (binding requests); null: any.</summary>
    public bool? Binding { get; init; }
}
