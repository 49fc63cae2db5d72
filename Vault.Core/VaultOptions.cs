namespace Vault.Core;

/// <summary>Settings of the service, section <c>Vault</c> (environment variables <c>Vault__…</c>).</summary>
public sealed class VaultOptions
{
    public const string Section = "Vault";

    /// <summary>Operator key for the admin routes. Unset: the admin routes answer 404.</summary>
    public string? AdminKey { get; set; }

    /// <summary>Key Vault holding one data key per connection (everything secret is sealed under it in the tables).</summary>
    public Uri? KeyVaultUri { get; set; }

    /// <summary>Development only: keep secrets in Table Storage encrypted under <see cref="LocalSecretKey"/> when no Key Vault is set.</summary>
    public bool AllowLocalSecretStore { get; set; }

    /// <summary>Base64 of 32 random bytes; the key of the local secret store.</summary>
    public string? LocalSecretKey { get; set; }

    /// <summary>Prefix of every table name (lets tests and benchmarks share one storage account).</summary>
    public string TablePrefix { get; set; } = "vault";

    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>How long a connection may go without a sync before the background resync picks it up.</summary>
    public TimeSpan ResyncInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>NCRONTAB schedule of the resync timer (with seconds); the Functions timer reads <c>%Vault:ResyncSchedule%</c>.
    /// Required, no default: the host disables a timer whose schedule does not resolve, so start-up checks it in both modes.</summary>
    public string? ResyncSchedule { get; set; }

    /// <summary>How long a run token lives.</summary>
    public TimeSpan RunTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a sync waits for another sync of the same connection before reporting the fresh state.</summary>
    public TimeSpan SyncLeaseWait { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a sync lease lasts if its holder crashes.</summary>
    public TimeSpan SyncLeaseDuration { get; set; } = TimeSpan.FromMinutes(2);
}

public sealed class RateLimitOptions
{
    /// <summary>Calls per account per minute (<c>Vault__RateLimit__PerMinute</c>).</summary>
    public int PerMinute { get; set; } = 600;
}
