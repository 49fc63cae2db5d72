using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Providers.OnePassword;

namespace Vault.Core.Providers;

public static class OnePasswordServiceCollectionExtensions
{
    /// <summary>
    /// Registers the 1Password provider as an <see cref="IVaultProvider"/> singleton. Expects ProviderHttpClients,
    /// IOptions&lt;NetworkOptions&gt;, Tables (for the read budget), logging and a TimeProvider to be registered by the host.
    /// </summary>
    public static IServiceCollection AddOnePasswordProvider(this IServiceCollection services)
    {
        services.AddOptions<OnePasswordOptions>().BindConfiguration(OnePasswordOptions.Section);
        services.AddSingleton<ReadBudget>();
        services.AddSingleton<OnePasswordProvider>();
        services.AddSingleton<IVaultProvider>(sp => sp.GetRequiredService<OnePasswordProvider>());
        return services;
    }
}
