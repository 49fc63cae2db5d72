using Azure.Data.Tables;
using Vault.Core.Providers;
using Vault.Core.Storage;

namespace Vault.Core.Resync;

/// <summary>
/// The providers' request budgets in Table Storage (the budgets table, beside the resync budgets): one entity per key,
/// rewritten under its ETag.
/// </summary>
public sealed class ProviderBudgetTable(Tables tables) : IProviderBudgetStore
{
    private const string RowKey = "hour";

    public async Task<T> UpdateAsync<T>(string key, Func<ProviderBudgetState?, (ProviderBudgetState? Write, T Result)> decide, CancellationToken ct)
    {
        var table = await tables.BudgetsAsync(ct).ConfigureAwait(false);
        return await OptimisticUpdate.RunAsync(table, key, RowKey, stored =>
        {
            var state = stored is null
                ? null
                : new ProviderBudgetState(stored.GetString("Window") ?? string.Empty, stored.GetInt32("Used") ?? 0, stored.GetDateTimeOffset("BlockedUntil"));
            var (write, result) = decide(state);
            return (write is null
                ? null
                : new TableEntity(key, RowKey) { ["Window"] = write.Window, ["Used"] = write.Used, ["BlockedUntil"] = write.BlockedUntil }, result);
        }, maxAttempts: 20, ct).ConfigureAwait(false);
    }

    public bool IsStoreFailure(Exception ex) => StorageFailures.IsBackingServiceFailure(ex);
}
