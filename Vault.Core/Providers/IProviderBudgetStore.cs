namespace Vault.Core.Providers;

/// <summary>
/// Where a provider keeps the request budgets its service's quotas need, shared by every instance. Providers know no
/// storage: the host supplies the store (Table Storage, ProviderBudgetTable in Resync), which applies
/// <c>decide</c> as a compare-and-swap, retrying it on a concurrent change.
/// </summary>
public interface IProviderBudgetStore
{
    /// <summary>Reads the key's state (null: none yet), lets <paramref name="decide"/> choose what to write (null: nothing), and writes it only if nobody changed it meanwhile.</summary>
    Task<T> UpdateAsync<T>(string key, Func<ProviderBudgetState?, (ProviderBudgetState? Write, T Result)> decide, CancellationToken ct);

    /// <summary>True when <paramref name="ex"/> is the store failing (a budget left uncounted, not a provider failure).</summary>
    bool IsStoreFailure(Exception ex);
}
