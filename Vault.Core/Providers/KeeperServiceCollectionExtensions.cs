using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Providers.Keeper;

namespace Vault.Core.Providers;

public static class KeeperServiceCollectionExtensions
{
    /// <summary>
    /// Registers the Keeper Secrets Manager provider as an <see cref="IVaultProvider"/> singleton. Expects
    /// ProviderHttpClients, IOptions&lt;NetworkOptions&gt;, an <see cref="IPendingBindingStore"/>, logging and a
    /// TimeProvider to be registered by the host.
    /// </summary>
    public static IServiceCollection AddKeeperProvider(this IServiceCollection services)
    {
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<KeeperOptions>, KeeperOptionsValidator>();
        services.AddOptions<KeeperOptions>().BindConfiguration(KeeperOptions.Section).ValidateOnStart();
        services.AddSingleton<KeeperProvider>();
        services.AddSingleton<IVaultProvider>(sp => sp.GetRequiredService<KeeperProvider>());
        return services;
    }
}
