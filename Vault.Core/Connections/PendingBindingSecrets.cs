using Vault.Core.Providers;
using Vault.Core.Storage;

namespace Vault.Core.Connections;

/// <summary>
/// Pending provider bindings (a Keeper one-time token's device key before its connection exists) kept in the secret
/// store: Key Vault in Azure, the encrypted local store in development. Never in a table, never beside the connection
/// rows a failed connect removes.
/// </summary>
public sealed class PendingBindingSecrets(ISecretStore secrets) : IPendingBindingStore
{
    public async Task<bool> SetAsync(string name, string sealedValue, CancellationToken ct)
    {
        try
        {
            await secrets.SetAsync(name, sealedValue, ct).ConfigureAwait(false);
            return true;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            return false; // deleted (soft delete keeps the name): its binding was finished or refused before
        }
    }

    public Task<string?> GetAsync(string name, CancellationToken ct) => secrets.GetAsync(name, ct);

    public Task DeleteAsync(string name, CancellationToken ct) => secrets.DeleteAsync(name, ct);
}
