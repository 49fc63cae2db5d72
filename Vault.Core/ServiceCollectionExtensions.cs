using Azure.Data.Tables;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vault.Core.Accounts;
using Vault.Core.Connections;
using Vault.Core.Items;
using Vault.Core.Providers;
using Vault.Core.Providers.Bitwarden;
using Vault.Core.Providers.Network;
using Vault.Core.Resync;
using Vault.Core.Runs;
using Vault.Core.Storage;

namespace Vault.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Everything Core needs, from Functions app-setting names: <c>AzureWebJobsStorage</c> (a connection string, or
    /// identity-based <c>AzureWebJobsStorage__tableServiceUri</c> / <c>Vault__TableEndpoint</c>), <c>Vault__KeyVaultUri</c>, …
    /// </summary>
    public static IServiceCollection AddVaultCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<VaultOptions>().Bind(configuration.GetSection(VaultOptions.Section));
        services.AddOptions<ResyncOptions>().Bind(configuration.GetSection(ResyncOptions.Section));
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section));
        services.AddOptions<ProviderLimits>().Bind(configuration.GetSection(ProviderLimits.Section));
        services.AddOptions<KeyDerivationOptions>().Bind(configuration.GetSection(KeyDerivationOptions.Section));
        services.AddSingleton<KeyDerivationGate>();
        services.TryAddSingleton(TimeProvider.System);

        var vault = configuration.GetSection(VaultOptions.Section).Get<VaultOptions>() ?? new VaultOptions();
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(new DefaultAzureCredential());
            var storage = StorageSettings.Resolve(configuration);
            if (storage.ConnectionString is not null)
            {
                clients.AddTableServiceClient(storage.ConnectionString);
                clients.AddQueueServiceClient(storage.ConnectionString).ConfigureOptions(o => o.MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64);
            }
            else
            {
                clients.AddTableServiceClient(storage.TableEndpoint!);
                clients.AddQueueServiceClient(storage.QueueEndpoint!).ConfigureOptions(o => o.MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64);
            }

            if (vault.KeyVaultUri is not null)
            {
                clients.AddSecretClient(vault.KeyVaultUri);
            }
        });

        services.AddSingleton<Tables>();
        services.AddSingleton<ISecretStore>(sp => CreateSecretStore(sp, vault));
        services.AddSingleton<ConnectionKeys>();
        services.AddSingleton<LegacyAccountKeys>();
        services.AddSingleton<SealedSecretsReader>();
        services.AddOptions<ConnectionKeyOptions>().Bind(configuration.GetSection(VaultOptions.Section + ":ConnectionKeys"));
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<GroupedInserts>();
        services.AddSingleton<CallLedger>();
        services.AddSingleton<Metering>();
        services.AddSingleton<UsageRollup>();
        services.AddSingleton<RateWindowCounter>();
        services.AddSingleton<AccountRateLimiter>();
        services.AddOptions<AuthThrottleOptions>().Bind(configuration.GetSection(AuthThrottleOptions.Section));
        services.AddSingleton<FailedAuthThrottle>();
        services.AddSingleton<ConnectionStore>();
        services.AddSingleton<IConnectionPresence>(sp => sp.GetRequiredService<ConnectionStore>());
        services.AddSingleton<SyncLeases>();
        services.AddSingleton<ProviderCalls>();
        services.AddSingleton<ConnectionCleanup>();
        services.AddSingleton<ItemReadCache>();
        services.AddSingleton<ItemStore>();
        services.AddSingleton<SyncEngine>();
        services.AddSingleton<ItemService>();
        services.AddSingleton<ConnectionService>();
        services.AddSingleton<AccountDeletion>();
        services.AddOptions<Codes.CodeOptions>().Bind(configuration.GetSection(Codes.CodeOptions.Section));
        services.AddSingleton<Codes.CodeKey>();
        services.AddSingleton<Codes.CodeStore>();
        services.AddSingleton<Codes.InboxStore>();
        services.AddSingleton<Codes.CodeService>();
        services.AddSingleton<SyncService>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<IItemSecretsSource, ItemSecretsSource>();
        services.AddSingleton<RunService>();
        services.AddSingleton<ResyncQueue>();
        services.AddSingleton<SyncBudgets>();
        services.AddSingleton<Providers.IProviderBudgetStore, ProviderBudgetTable>();
        services.AddSingleton<ResyncPlanner>();
        services.AddSingleton<ResyncWorker>();
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ProviderHttpClients>();
        services.AddBitwardenProvider();
        services.AddOnePasswordProvider();
        return services;
    }

    /// <summary>Fails start-up with a clear message when no secret store is configured.</summary>
    public static void ValidateSecretStoreSettings(IConfiguration configuration)
    {
        var vault = configuration.GetSection(VaultOptions.Section).Get<VaultOptions>() ?? new VaultOptions();
        if (vault.KeyVaultUri is null && !vault.AllowLocalSecretStore)
        {
            throw new InvalidOperationException(
                "No secret store: set Vault__KeyVaultUri to a Key Vault, or for local development only set " +
                "Vault__AllowLocalSecretStore=true and Vault__LocalSecretKey to base64 of 32 random bytes.");
        }

        if (vault.KeyVaultUri is null && LocalKey(vault) is null)
        {
            throw new InvalidOperationException("Vault__LocalSecretKey must be base64 of exactly 32 random bytes.");
        }
    }

    private static ISecretStore CreateSecretStore(IServiceProvider sp, VaultOptions vault)
    {
        if (vault.KeyVaultUri is not null)
        {
            return new KeyVaultSecretStore(sp.GetRequiredService<SecretClient>());
        }

        var key = vault.AllowLocalSecretStore ? LocalKey(vault) : null;
        return key is null
            ? throw new InvalidOperationException("No secret store is configured (Vault__KeyVaultUri, or Vault__AllowLocalSecretStore with Vault__LocalSecretKey).")
            : new LocalSecretStore(sp.GetRequiredService<Tables>(), key);
    }

    private static byte[]? LocalKey(VaultOptions vault)
    {
        try
        {
            var key = vault.LocalSecretKey is null ? null : Convert.FromBase64String(vault.LocalSecretKey);
            return key?.Length == 32 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Where Table and Queue Storage are: a connection string, or endpoints reached with the managed identity.</summary>
public sealed record StorageSettings(string? ConnectionString, Uri? TableEndpoint, Uri? QueueEndpoint)
{
    public static StorageSettings Resolve(IConfiguration configuration)
    {
        var connectionString = configuration["AzureWebJobsStorage"];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new StorageSettings(connectionString, null, null);
        }

        var account = configuration["AzureWebJobsStorage:accountName"];
        Uri? Endpoint(string key, string vaultKey, string service) =>
            configuration[key] is { Length: > 0 } a ? new Uri(a)
            : configuration[vaultKey] is { Length: > 0 } b ? new Uri(b)
            : account is { Length: > 0 } ? new Uri($"https://{account}.{service}.core.windows.net")
            : null;

        var table = Endpoint("AzureWebJobsStorage:tableServiceUri", "Vault:TableEndpoint", "table");
        var queue = Endpoint("AzureWebJobsStorage:queueServiceUri", "Vault:QueueEndpoint", "queue");
        return table is null || queue is null
            ? throw new InvalidOperationException("No storage configured: set AzureWebJobsStorage (a connection string, e.g. for Azurite) or AzureWebJobsStorage__accountName.")
            : new StorageSettings(null, table, queue);
    }
}
