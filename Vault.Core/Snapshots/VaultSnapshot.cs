namespace Vault.Core.Snapshots;

/// <summary>The result of reading a vault.</summary>
/// <param name="Label">Shown as the connection's label (Bitwarden: the account e-mail).</param>
/// <param name="Items">Login items (not trashed/archived) with their URLs; the sync engine keeps those with a website URL.</param>
/// <param name="RefreshedSecret">A new credential payload to store (e.g. a provider session token to reuse), or null.</param>
public sealed record VaultSnapshot(
    string Label,
    IReadOnlyList<ProviderItem> Items,
    string? RefreshedSecret = null)
{
    /// <summary>
    /// The provider found the vault as it was at the last read (Bitwarden's revision date did not move) and downloaded
    /// nothing: the cached items stay as they are. Only when the caller allowed it (<c>ProviderContext.MayReportUnchanged</c>).
    /// </summary>
    public bool Unchanged { get; private init; }

    /// <summary>
    /// Who the provider's own limits count by, when that is not the connection's identity (Keeper: the application, of
    /// which each connection is one device); an opaque hash, never key material. Null: the identity.
    /// </summary>
    public string? BudgetScope { get; init; }

    public static VaultSnapshot NoChange(string? refreshedSecret) => new(string.Empty, [], refreshedSecret) { Unchanged = true };

    /// <summary>Never the refreshed secret (it holds provider tokens and keys).</summary>
    public override string ToString() =>
        $"VaultSnapshot {{ Label = {Label}, Items = {Items.Count}, Unchanged = {Unchanged}, RefreshedSecret = {(RefreshedSecret is null ? "null" : "***")} }}";
}
