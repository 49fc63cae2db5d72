namespace Vault.Testing.Keeper;

/// <summary>
/// A device of an application, from a one-time token: unbound until a request carries its public key, provisionally
/// bound until a request without the key (signed by it) confirms the binding, as the SDK's read after binding does.
/// </summary>
public sealed class FakeKeeperClient
{
    public required FakeKeeperApplication Application { get; init; }
    public required byte[] ClientKey { get; init; }
    public required string ClientId { get; init; }
    public byte[]? BoundPublicKey { get; set; }
    public bool Confirmed { get; set; }

    /// <summary>Binding requests answered (more than one: a repeated binding after a lost answer).</summary>
    public int Bindings { get; set; }
}
