namespace Vault.Core.Providers.OnePassword;

/// <summary>1Password provider settings (section <c>Vault:OnePassword</c>).</summary>
public sealed class OnePasswordOptions
{
    public const string Section = "Vault:OnePassword";

    /// <summary>
    /// Development and tests only: a CA (PEM) trusted for 1Password calls, so a local fake server can be used. Honoured
    /// only when <c>Vault:Network:AllowPrivateProviderHosts</c> is true; the real service needs no private CA.
    /// </summary>
    public string? PrivateCaPem { get; set; }

    /// <summary>
    /// Requests a service account may send per hour. 1Password publishes 1,000 reads an hour per service account on Teams,
    /// Families and individual plans and 10,000 on Business (developer.1password.com, service account rate limits); the
    /// default is the lower, so an account on any plan stays within it. Set 10000 when every connected account is Business.
    /// Item details beyond what is left are read by later syncs (oldest first) or live when a run needs one.
    /// </summary>
    public int ReadsPerHour { get; set; } = 1000;

    /// <summary>
    /// Of <see cref="ReadsPerHour"/>, how many syncs leave for runs' live reads of items whose details are not cached yet
    /// (a live read costs 1 request in a kept session, 7 after a new sign-in). At most half the hour.
    /// </summary>
    public int ReadsKeptForRuns { get; set; } = 100;

    /// <summary>
    /// How long a signed-in session (session key, unlocked keysets and vault keys) is kept in memory after its last use,
    /// so the next sync or secret read of the same token skips sign-in (4 requests), keysets and vault requests. A
    /// session the server has expired meanwhile answers 401 and is replaced by one new sign-in. Zero turns keeping off.
    /// </summary>
    public TimeSpan SessionIdleTime { get; set; } = TimeSpan.FromMinutes(10);
}
