namespace Vault.Core.Providers;

/// <summary>The <c>provider</c> values of the API: one per supported password manager.</summary>
public static class ProviderKinds
{
    public const string OnePassword = "1password";
    public const string Bitwarden = "bitwarden";
    public const string Keeper = "keeper";
}
