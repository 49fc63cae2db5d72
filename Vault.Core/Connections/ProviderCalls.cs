using Vault.Core.Errors;
using Vault.Core.Providers;

namespace Vault.Core.Connections;

/// <summary>How provider failures surface at connect time (where the caller is waiting for the answer).</summary>
internal static class ProviderCalls
{
    public static async Task<VaultSnapshot> ReadForConnectAsync(IVaultProvider provider, ProviderContext context, CancellationToken ct)
    {
        try
        {
            return await provider.ReadVaultAsync(context, ct).ConfigureAwait(false);
        }
        catch (ProviderRejectedCredentialsException)
        {
            throw ApiErrors.InvalidVaultToken();
        }
        catch (UnsupportedVaultEncryptionException ex)
        {
            throw ApiErrors.UnsupportedVaultEncryption(ex.Part);
        }
        catch (ProviderUnavailableException ex)
        {
            throw ApiErrors.VaultUnavailable("The vault provider is unavailable or returned an error; retry later.", ex.RetryAfter);
        }
    }
}
