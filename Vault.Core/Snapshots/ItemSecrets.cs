namespace Vault.Core.Snapshots;

/// <summary>An item's secrets. Only ever held in memory, encrypted at rest, shown only on the run-credential route.</summary>
public sealed record ItemSecrets(string? Password, string? Totp)
{
    public override string ToString() => "ItemSecrets { *** }";
}
