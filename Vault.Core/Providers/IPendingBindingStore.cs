namespace Vault.Core.Providers;

/// <summary>
/// Where a provider keeps what a one-time credential turned into before the connection exists to hold it (Keeper: the
/// device key made for a one-time token, then the app key its binding returned), so that a lost answer or a failed
/// connect does not burn the token: the next connect with the same token finds it. Values arrive sealed by the provider
/// under a key only the token yields; the store adds its own protection at rest (Key Vault, or the local secret store).
/// </summary>
public interface IPendingBindingStore
{
    /// <summary>
    /// Writes the value. False when the store refuses the name because a value of that name was removed before and
    /// names are not reused (Key Vault's soft delete): the binding it held was completed or refused already.
    /// </summary>
    Task<bool> SetAsync(string name, string sealedValue, CancellationToken ct);

    /// <summary>The value, or null when there is none.</summary>
    Task<string?> GetAsync(string name, CancellationToken ct);

    /// <summary>Removes the value; succeeds when there is none.</summary>
    Task DeleteAsync(string name, CancellationToken ct);
}
