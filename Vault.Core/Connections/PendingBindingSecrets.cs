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
    public Task SetAsync(string name, string sealedValue, CancellationToken ct) => secrets.SetAsync(name, sealedValue, ct);

    public Task<string?> GetAsync(string name, CancellationToken ct) => secrets.GetAsync(name, ct);

    public Task DeleteAsync(string name, CancellationToken ct) => secrets.DeleteAsync(name, ct);
}
