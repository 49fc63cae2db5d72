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
    /// Read every login's details at sync (one more request per item: 6 + vaults + items per sync) so passwords and
    /// one-time-password secrets are cached and <c>hasTotp</c> is known. Off by default: with the default, a sync costs
    /// 6 + vaults requests whatever the item count, and a run reads an item's secrets live (7 requests). Worth turning
    /// on only for accounts with a large daily quota (Business: 50,000) and many runs.
    /// </summary>
    public bool ReadDetailsAtSync { get; set; }

    /// <summary>
    /// How long a signed-in session (session key, unlocked keysets and vault keys) is kept in memory after its last use,
    /// so the next sync or secret read of the same token skips sign-in (4 requests), keysets and vault requests. A
    /// session the server has expired meanwhile answers 401 and is replaced by one new sign-in. Zero turns keeping off.
    /// </summary>
    public TimeSpan SessionIdleTime { get; set; } = TimeSpan.FromMinutes(10);
}
