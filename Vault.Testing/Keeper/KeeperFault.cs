namespace Vault.Testing.Keeper;

/// <summary>How the fake answers a request instead of serving it (hostile and failing servers).</summary>
public enum KeeperFaultKind
{
    /// <summary>403 <c>{"error":"throttled","retry_after":N}</c>, as Keeper throttles.</summary>
    Throttled,

    /// <summary>The given status with a Keeper error body.</summary>
    Status,

    /// <summary>A 200 whose body does not decrypt.</summary>
    Garbage,

    /// <summary>A 200 body of <see cref="KeeperFault.Bytes"/> bytes.</summary>
    Huge,

    /// <summary>Headers, then a body that drips a byte a second.</summary>
    Drip,

    /// <summary>The request is served (bound, recorded), then the connection is aborted: a lost answer.</summary>
    LoseAnswer,
}

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
