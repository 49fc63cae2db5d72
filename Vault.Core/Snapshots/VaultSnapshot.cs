namespace Vault.Core.Snapshots;

/// <summary>The result of reading a vault.</summary>
/// <param name="Label">Shown as the connection's label (Bitwarden: the account e-mail).</param>
/// <param name="Items">Login items (not trashed/archived) with their URLs; the sync engine keeps those with a website URL.</param>
/// <param name="RefreshedSecret">A new credential payload to store (e.g. a provider session token to reuse), or null.</param>
public sealed record VaultSnapshot(
    string Label,
    IReadOnlyList<ProviderItem> Items,
    string? RefreshedSecret = null);
