namespace Vault.Core.Providers.Network;

/// <summary>Outbound network policy for provider calls (section <c>Vault:Network</c>).</summary>
public sealed class NetworkOptions
{
    public const string Section = "Vault:Network";

    /// <summary>
    /// Development and tests only: lets provider addresses reach loopback and private networks and allows
    /// <c>http://</c> to loopback, so local fake servers can be used.
    /// </summary>
    public bool AllowPrivateProviderHosts { get; set; }

    /// <summary>Time allowed for one provider request attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Time allowed for one provider request including retries.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(40);
}
