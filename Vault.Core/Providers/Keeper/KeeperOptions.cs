namespace Vault.Core.Providers.Keeper;

/// <summary>Keeper Secrets Manager settings (section <c>Vault:Keeper</c>).</summary>
public sealed class KeeperOptions
{
    public const string Section = "Vault:Keeper";

    /// <summary>
    /// Development and tests only, honoured only with <c>Vault:Network:AllowPrivateProviderHosts</c>: the server public
    /// key (base64url uncompressed P-256 point) that replaces Keeper's published keys, as the SDK's <c>serverPublicKey</c>
    /// does, so a fake server holding its private half can read requests.
    /// </summary>
    public string? ServerPublicKey { get; set; }

    /// <summary>The id requests name for <see cref="ServerPublicKey"/> (the SDK's <c>serverPublicKeyId</c>; 7 when unset).</summary>
    public string? ServerPublicKeyId { get; set; }

    /// <summary>
    /// Tests only (same condition): several server keys by id (<c>Vault:Keeper:ServerPublicKeySet:11</c> = point), so
    /// the server's request to rotate to another id can be followed as it is with Keeper's published keys.
    /// </summary>
    public Dictionary<string, string>? ServerPublicKeySet { get; set; }

    /// <summary>
    /// Development and tests only (same condition): a CA (PEM) trusted for Keeper calls. Without it a server's certificate
    /// is checked against the system store (which <c>SSL_CERT_FILE</c> can point elsewhere), as for every provider.
    /// </summary>
    public string? PrivateCaPem { get; set; }
}
