namespace Vault.Core.Domains;

/// <summary>
/// A site a read is narrowed to, as the caller gave it (a host or URL, which URI match rules are checked against) with
/// its registrable domain (which the item index is keyed by), parsed once.
/// </summary>
public sealed record SiteQuery(string Site, string RegistrableDomain)
{
    /// <summary>Null when <paramref name="value"/> has no registrable domain (Public Suffix List).</summary>
    public static SiteQuery? TryParse(string value) =>
        Domains.RegistrableDomain.FromHostOrUrl(value) is { } domain ? new SiteQuery(value, domain) : null;
}
