namespace Vault.Core.Providers.Keeper;

/// <summary>
/// The region codes a Keeper one-time token may start with, and the host each stands for (as Keeper's SDKs map them).
/// Anything else before the token's last colon is taken as a host name, with an optional port.
/// </summary>
internal static class KeeperRegions
{
    private static readonly Dictionary<string, string> Hosts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["US"] = "keepersecurity.com",
        ["EU"] = "keepersecurity.eu",
        ["AU"] = "keepersecurity.com.au",
        ["GOV"] = "govcloud.keepersecurity.us",
        ["JP"] = "keepersecurity.jp",
        ["CA"] = "keepersecurity.ca",
    };

    /// <summary>The host of a region code, or null when <paramref name="prefix"/> is not one.</summary>
    public static string? HostOf(string prefix) => Hosts.TryGetValue(prefix, out var host) ? host : null;

    /// <summary>Whether the host is one of Keeper's own (the published server keys are only meaningful there).</summary>
    public static bool IsKeeperHost(string host) => Hosts.Values.Contains(host.ToLowerInvariant(), StringComparer.Ordinal);
}
