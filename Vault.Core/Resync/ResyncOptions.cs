using System.ComponentModel.DataAnnotations;
namespace Vault.Core.Resync;

/// <summary>Background resync settings (section <c>Vault:Resync</c>; the interval is <c>Vault__ResyncInterval</c>).</summary>
public sealed class ResyncOptions
{
    public const string Section = "Vault:Resync";

    /// <summary>The queue the Functions queue trigger listens on; failures past the last try go to <c>vault-resync-poison</c>.</summary>
    public const string DefaultQueueName = "vault-resync";

    /// <summary>Only for isolating tests that share one storage account: the Functions trigger always uses <see cref="DefaultQueueName"/>.</summary>
    public string QueueName { get; set; } = DefaultQueueName;

    /// <summary>A connection is due this much later than the interval at most, by a fixed per-connection fraction, so
    /// connections made together spread out.</summary>
    [Range(0.0, 1.0, ErrorMessage = "Vault__Resync__JitterFraction must be between 0 and 1.")]
    public double JitterFraction { get; set; } = 0.25;

    /// <summary>Resyncs a minute per Bitwarden server and user of one tenant, so one tenant cannot take the whole
    /// service-wide budget (<see cref="BitwardenSyncsPerMinutePerEgressAddress"/>) of a host.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "Vault__Resync__BitwardenSyncsPerMinute must be 0 (no background resyncs) or more.")]
    public int BitwardenSyncsPerMinute { get; set; } = 5;

    /// <summary>
    /// The deployment's public egress addresses towards the providers (a NAT gateway with several public IPs: up to
    /// 16 on Azure). Providers limit requests per client IP, so the service-wide budget grows with them (<see cref="EgressBudgets"/>).
    /// </summary>
    [Range(1, 1000, ErrorMessage = "Vault__Resync__EgressAddresses must be between 1 and 1000.")]
    public int EgressAddresses { get; set; } = 1;

    /// <summary>
    /// Resyncs a minute per Bitwarden host (the cloud, or each self-hosted server) and egress address, across all tenants:
    /// 8 of the 10 token requests a minute per client IP that bitwarden/server's identity service allows (see <see cref="EgressBudgets"/>).
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "Vault__Resync__BitwardenSyncsPerMinutePerEgressAddress must be 0 (no background resyncs) or more.")]
    public int BitwardenSyncsPerMinutePerEgressAddress { get; set; } = 8;

    /// <summary>Resyncs a day per 1Password account (sign-in address), all connections to it together: each costs
    /// 1 + vaults requests with a kept session, 6 + vaults after a new sign-in, of a daily quota as small as 1,000.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "Vault__Resync__OnePasswordSyncsPerAccountPerDay must be 0 (no background resyncs) or more.")]
    public int OnePasswordSyncsPerAccountPerDay { get; set; } = 16;

    /// <summary>Resyncs a minute per tenant and Keeper Secrets Manager application (every device of it shares the
    /// budget; the application is known by a hash of its key, see <c>Providers/Keeper/KeeperApplication.cs</c>): each is
    /// one <c>get_secret</c> request. Keeper throttles per client id and endpoint (100 requests in 10 s, per its SDK),
    /// not per address, so there is no service-wide share.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "Vault__Resync__KeeperSyncsPerApplicationPerMinute must be 0 (no background resyncs) or more.")]
    public int KeeperSyncsPerApplicationPerMinute { get; set; } = 10;

    /// <summary>
    /// Connection rows the one-time backfill of the due-time index reads per timer tick (<see cref="ResyncBackfill"/>):
    /// 20,000 a 15-minute tick takes 1M pre-index rows through in about 12 hours, a few seconds of each tick.
    /// </summary>
    [Range(1000, int.MaxValue, ErrorMessage = "Vault__Resync__BackfillRowsPerTick must be at least 1000 (one page).")]
    public int BackfillRowsPerTick { get; set; } = 20_000;

    /// <summary>Tries of a transiently failing resync before its message goes to the poison queue (host.json maxDequeueCount).</summary>
    [Range(1, 100, ErrorMessage = "Vault__Resync__MaxDequeueCount must be between 1 and 100.")]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>Standalone mode only: first retry delay of a failed message, doubled per try.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Standalone mode runs the timer and queue work in-process unless this is false.</summary>
    public bool RunInStandalone { get; set; } = true;
}

/// <summary>One connection to resync.</summary>
/// <param name="Early">Sent by a run's read of a stale connection (<see cref="EarlyResync"/>): due once synced longer
/// ago than the interval, without the jitter. Null (not written) for the timer's messages.</param>
public sealed record ResyncMessage(string AccountId, string ConnectionId, bool? Early = null);
