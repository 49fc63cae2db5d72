using Azure.Data.Tables;
using Azure.Identity;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vault.Core.Accounts;
using Vault.Core.Common;
using Vault.Core.Connections;
using Vault.Core.Items;
using Vault.Core.Providers;
using Vault.Core.Providers.Bitwarden;
using Vault.Core.Providers.Network;
using Vault.Core.Resync;
using Vault.Core.Runs;
using Vault.Core.Storage;
using Vault.Core.Connections.Sync;

namespace Vault.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Everything Core needs, from Functions app-setting names: <c>AzureWebJobsStorage</c> (a connection string, or
    /// identity-based <c>AzureWebJobsStorage__tableServiceUri</c> / <c>Vault__TableEndpoint</c>), <c>Vault__KeyVaultUri</c>, …
    /// </summary>
    public static IServiceCollection AddVaultCore(this IServiceCollection services, IConfiguration configuration)
    {
        // Settings are checked when the host starts: a bad one stops the app with its message instead of a later failure.
        services.AddOptions<VaultOptions>().Bind(configuration.GetSection(VaultOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<VaultOptions>, VaultOptionsValidator>();
        services.AddCheckedSettings<ResyncOptions>(configuration, ResyncOptions.Section);
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section));
        services.AddCheckedSettings<ProviderLimits>(configuration, ProviderLimits.Section);
        services.AddCheckedSettings<KeyDerivationOptions>(configuration, KeyDerivationOptions.Section);
        services.AddSingleton<KeyDerivationGate>();
        services.TryAddSingleton(TimeProvider.System);

        var vault = configuration.GetSection(VaultOptions.Section).Get<VaultOptions>() ?? new VaultOptions();
        services.AddAzureClients(clients =>
        {
            clients.UseCredential(new DefaultAzureCredential());
            var storage = StorageSettings.Resolve(configuration);
            // Throttling (503 ServerBusy) backs off exponentially with jitter: see TableRetry.
            if (storage.ConnectionString is not null)
            {
                clients.AddTableServiceClient(storage.ConnectionString).ConfigureOptions(o => TableRetry.Apply(o.Retry));
                clients.AddQueueServiceClient(storage.ConnectionString).ConfigureOptions(o => o.MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64);
            }
            else
            {
                clients.AddTableServiceClient(storage.TableEndpoint!).ConfigureOptions(o => TableRetry.Apply(o.Retry));
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
        services.AddCheckedSettings<AuthThrottleOptions>(configuration, AuthThrottleOptions.Section);
        services.AddSingleton<FailedAuthThrottle>();
        services.AddSingleton<ResyncSchedule>();
        services.AddSingleton<IResyncSchedule>(sp => sp.GetRequiredService<ResyncSchedule>());
        services.AddSingleton<ResyncDueIndex>();
        services.AddSingleton<ConnectionStore>();
        services.AddSingleton<IConnectionPresence>(sp => sp.GetRequiredService<ConnectionStore>());
        services.AddSingleton<TableLeases>();
        services.AddSingleton<SyncLeases>();
        services.AddSingleton<ProviderCalls>();
        services.AddSingleton<ConnectionCleanup>();
        services.AddSingleton<ItemReadCache>();
        services.AddSingleton<ItemLayoutMigration>();
        services.AddSingleton<ItemStore>();
        services.AddSingleton<SyncEngine>();
        services.AddSingleton<SnapshotApplier>();
        services.AddSingleton<ItemService>();
        services.AddSingleton<ConnectionService>();
        services.AddSingleton<AccountDeletion>();
        services.AddCheckedSettings<Codes.CodeOptions>(configuration, Codes.CodeOptions.Section);
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
        services.AddSingleton<EgressBudgets>();
        services.AddSingleton<SyncBudgets>();
        services.AddSingleton<Providers.IProviderBudgetStore, ProviderBudgetTable>();
        services.AddSingleton<ResyncBackfill>();
        services.AddSingleton<EarlyResync>();
        services.AddSingleton<ResyncPlanner>();
        services.AddSingleton<ResyncWorker>();
        services.AddSingleton<ProviderRegistry>();
        services.AddSingleton<ProviderHttpClients>();
        services.AddBitwardenProvider();
        services.AddOnePasswordProvider();
        services.AddSingleton<Providers.IPendingBindingStore, PendingBindingSecrets>();
        services.AddKeeperProvider();
        return services;
    }

    private static ISecretStore CreateSecretStore(IServiceProvider sp, VaultOptions vault)
    {
        if (vault.KeyVaultUri is not null)
        {
            return new KeyVaultSecretStore(sp.GetRequiredService<SecretClient>());
        }

        var key = vault.AllowLocalSecretStore ? VaultOptionsValidator.LocalSecretKey(vault) : null;
        return key is null
            ? throw new InvalidOperationException(VaultOptionsValidator.NoSecretStore)
            : new LocalSecretStore(sp.GetRequiredService<Tables>(), key);
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
