namespace Vault.Core.Providers.OnePassword;

/// <summary>
/// The sign-in address comes from user input (inside the token), so only 1Password's own domains are contacted
/// (<c>1password.com</c>, <c>1password.ca</c>, <c>1password.eu</c> and their subdomains), over https on the default
/// port. <c>AllowPrivateProviderHosts</c> (development and tests) lifts this so a fake on 127.0.0.1 can be used.
/// </summary>
internal static class SignInAddress
{
    private static readonly string[] Domains = ["1password.com", "1password.ca", "1password.eu"];

    public static bool IsAllowed(string address, bool allowPrivateHosts)
    {
        if (allowPrivateHosts)
        {
            return true;
        }

        if (address.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        return Domains.Any(d => address == d || address.EndsWith("." + d, StringComparison.Ordinal));
    }
}
