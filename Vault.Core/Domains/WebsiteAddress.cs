// TEMPORARY stand-in until the Domains branch lands (replaced by the real PSL implementation).
namespace Vault.Core.Domains;

public sealed record WebsiteAddress(string Scheme, string Host, int? Port, string? RegistrableDomain, string Url)
{
    public static bool TryParse(string? input, out WebsiteAddress address)
    {
        address = null!;
        if (string.IsNullOrWhiteSpace(input)) return false;
        var text = input.Contains("://", StringComparison.Ordinal) ? input : "https://" + input;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")) return false;
        var host = uri.IdnHost.TrimEnd('.').ToLowerInvariant();
        var labels = host.Split('.');
        var reg = labels.Length >= 2 ? string.Join('.', labels[^2..]) : host;
        address = new WebsiteAddress(uri.Scheme, host, uri.IsDefaultPort ? null : uri.Port, reg, uri.GetLeftPart(UriPartial.Query));
        return true;
    }
}

public static class RegistrableDomain
{
    public static string? FromHostOrUrl(string? input) => WebsiteAddress.TryParse(input, out var a) ? a.RegistrableDomain : null;
}

public static class SiteMatcher
{
    public static bool Matches(string itemUri, Vault.Core.Providers.UriMatch match, string siteUrlOrHost) =>
        match != Vault.Core.Providers.UriMatch.Never && RegistrableDomain.FromHostOrUrl(itemUri) is { } d && d == RegistrableDomain.FromHostOrUrl(siteUrlOrHost);
}
