using Vault.Core.Snapshots;
using Vault.Core.Items;

namespace Vault.Core.Connections.Sync;

/// <summary>An item's username and secrets as a run receives them.</summary>
public sealed record ItemCredential(string? Username, ItemSecrets Secrets)
{
    public override string ToString() => "ItemCredential { *** }";
}
