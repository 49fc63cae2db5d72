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
}
