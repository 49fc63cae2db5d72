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
