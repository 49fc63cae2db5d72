namespace Vault.Core.Snapshots;

/// <summary>One item's details read live: the username as the details give it, its secrets, and the version read.</summary>
public sealed record ProviderItemDetails(string? Username, ItemSecrets Secrets, string? Version)
{
    public override string ToString() => $"ProviderItemDetails {{ Version = {Version}, *** }}";
}
