namespace Vault.Testing.Keeper;

/// <summary>A request as the fake received it, with its decrypted payload and the fake's verdicts on it.</summary>
public sealed record KeeperRecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, int BodyLength)
{
    /// <summary>The payload JSON as decrypted under the transmission key (null when it did not decrypt).</summary>
    public string? Payload { get; set; }

    /// <summary>What the fake found wrong with the request (empty: it is what Keeper's SDK sends).</summary>
    public List<string> Problems { get; } = [];

    /// <summary>The answer's status.</summary>
    public int Status { get; set; }
}
