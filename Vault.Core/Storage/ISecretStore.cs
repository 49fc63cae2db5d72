namespace Vault.Core.Storage;

/// <summary>Where the connections' data keys live: Key Vault in Azure, an encrypted table locally (development only).</summary>
public interface ISecretStore
{
    Task SetAsync(string name, string value, CancellationToken ct);

    /// <summary>The secret's value, or null if there is none.</summary>
    Task<string?> GetAsync(string name, CancellationToken ct);

    /// <summary>Deletes the secret; succeeds if there was none.</summary>
    Task DeleteAsync(string name, CancellationToken ct);
}
