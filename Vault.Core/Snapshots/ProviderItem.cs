namespace Vault.Core.Snapshots;

/// <summary>A login item as the provider reads it.</summary>
/// <param name="Username">From the item's details when <see cref="Secrets"/> are given, else the provider's best listing value.</param>
/// <param name="Secrets">Null when the details were not read in this sync (not needed, or not within the provider's budget).</param>
/// <param name="HasTotp">Whether the details read have a one-time password; false when they were not read.</param>
/// <param name="Version">The provider's item version (1Password <c>itemVersion</c>); null for providers that read everything at once.</param>
public sealed record ProviderItem(
    string VaultId,
    string VaultName,
    string ProviderItemId,
    string Label,
    string? Username,
    IReadOnlyList<ProviderUri> Uris,
    ItemSecrets? Secrets,
    bool HasTotp,
    DateTimeOffset? UpdatedAt,
    string? Version = null)
{
    /// <summary>Names of the item's custom fields (Keeper: custom fields' labels), shown as field metadata; never their values.</summary>
    public IReadOnlyList<string>? FieldLabels { get; init; }
}
