using System.Net;

namespace Vault.Core.Providers.OnePassword;

/// <summary>
/// The sign-in address comes from user input (inside the token), so only 1Password's own domains are contacted
/// (<c>1password.com</c>, <c>1password.ca</c>, <c>1password.eu</c> and their subdomains), over https on the default
/// port. <c>AllowPrivateProviderHosts</c> (development and tests) additionally allows IP literals and <c>localhost</c>
/// on any port, so a local fake can be used; it does not open other public names.
/// </summary>
internal static class SignInAddress
{
    private static readonly string[] Domains = ["1password.com", "1password.ca", "1password.eu"];

    /// <param name="address">host[:port], lower case.</param>
    public static bool IsAllowed(string address, bool allowPrivateHosts)
    {
        var colon = address.LastIndexOf(':');
        var host = colon >= 0 ? address[..colon] : address;
        if (allowPrivateHosts && (host == "localhost" || IPAddress.TryParse(host, out _)))
        {
            return true;
        }

        return colon < 0 && Domains.Any(d => host == d || host.EndsWith("." + d, StringComparison.Ordinal));
    }
}
