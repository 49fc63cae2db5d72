namespace Vault.Core.Providers.Bitwarden;

/// <summary>Where a Bitwarden account lives: US or EU cloud, or a self-hosted server (identity and API under its base).</summary>
public sealed record BitwardenEndpoints(Uri Identity, Uri Api, string Base)
{
    public static BitwardenEndpoints For(string? serverUrl, string? region) => serverUrl is not null
        ? new BitwardenEndpoints(new Uri(serverUrl + "/identity/"), new Uri(serverUrl + "/api/"), serverUrl)
        : region == "eu"
            ? new BitwardenEndpoints(new Uri("https://identity.bitwarden.eu/"), new Uri("https://api.bitwarden.eu/"), "https://vault.bitwarden.eu")
            : new BitwardenEndpoints(new Uri("https://identity.bitwarden.com/"), new Uri("https://api.bitwarden.com/"), "https://vault.bitwarden.com");
}
