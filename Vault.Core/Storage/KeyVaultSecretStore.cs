using Azure;
using Azure.Security.KeyVault.Secrets;

namespace Vault.Core.Storage;

/// <summary>Secrets in Azure Key Vault through the real <see cref="SecretClient"/> (its pipeline retries 429 and 5xx).</summary>
public sealed class KeyVaultSecretStore(SecretClient client) : ISecretStore
{
    public async Task SetAsync(string name, string value, CancellationToken ct)
    {
        var secret = new KeyVaultSecret(name, value);
        secret.Properties.ContentType = "application/json";
        await client.SetSecretAsync(secret, ct).ConfigureAwait(false);
    }

    public async Task<string?> GetAsync(string name, CancellationToken ct)
    {
        try
        {
            var response = await client.GetSecretAsync(name, cancellationToken: ct).ConfigureAwait(false);
            return response.Value.Value;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        try
        {
            // Soft delete (the vault keeps it for its retention period, purge protection on); the name is never reused.
            await client.StartDeleteSecretAsync(name, ct).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }
}
