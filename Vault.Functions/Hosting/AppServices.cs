using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vault.Core;
using Vault.Functions.Http;

namespace Vault.Functions.Hosting;

public static class AppServices
{
    /// <summary>The composition root shared by the Functions host and standalone mode.</summary>
    public static IServiceCollection AddVaultApp(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddVaultCore(configuration);
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<VaultOptions>, ResyncScheduleValidator>();
        services.AddSingleton<ApiGate>();
        services.AddHostedService<UsageRollupLoop>();
        services.AddSingleton<DocsAssets>();
        return services;
    }
}
