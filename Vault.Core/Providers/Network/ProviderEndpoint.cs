using Vault.Core.Errors;

namespace Vault.Core.Providers.Network;

/// <summary>Validation of user-supplied provider addresses (Bitwarden serverUrl, 1Password sign-in address).</summary>
public static class ProviderEndpoint
{
    /// <summary>
    /// Parses a user-supplied base URL: absolute <c>https://</c> (or <c>http://</c> to loopback when private hosts are allowed),
    /// no user info, query or fragment, and not an IP literal in a forbidden range. Returns it without a trailing slash.
    /// The address actually connected to is checked again at connect time (<see cref="GuardedHandler"/>).
    /// </summary>
    public static Uri ParseBaseUrl(string field, string? value, bool allowPrivateHosts)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 2048 ||
            !Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri))
        {
            throw new InvalidCommandException(field, "must be an absolute https:// URL.");
        }

        var isLoopbackHttp = uri.Scheme == Uri.UriSchemeHttp && allowPrivateHosts && IsLoopbackHost(uri.Host);
        if (uri.Scheme != Uri.UriSchemeHttps && !isLoopbackHttp)
        {
            throw new InvalidCommandException(field, "must start with https://.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            throw new InvalidCommandException(field, "must not contain user info, a query or a fragment.");
        }

        if (!allowPrivateHosts &&
            (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
             (ForbiddenAddresses.IsIpLiteral(uri.Host, out var ip) && ForbiddenAddresses.IsForbidden(ip))))
        {
            throw new InvalidCommandException(field, "must not point to a private, loopback, link-local or metadata address.", InputProblemKind.NotAllowed);
        }

        var text = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
        return new Uri(text);
    }

    private static bool IsLoopbackHost(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase) ||
        (ForbiddenAddresses.IsIpLiteral(host, out var ip) && ForbiddenAddresses.IsLoopback(ip));
}
