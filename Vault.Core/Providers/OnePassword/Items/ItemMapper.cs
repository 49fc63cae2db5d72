using System.Globalization;
using System.Text.Json;
using Vault.Core.Domains;
using Vault.Core.Providers.OnePassword.Api;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.OnePassword.Items;

/// <summary>
/// Which 1Password items are logins, and how their overview and details become the seam's types, following how the
/// official SDK presents them (docs/onepassword-protocol.md §7).
/// </summary>
internal static class ItemMapper
{
    public const string LoginTemplate = "001";
    public const string PasswordTemplate = "005";

    /// <summary>
    /// "Item kinds with a login": Login (001) always, Password (005) only with a website. Other categories (Server,
    /// Database, Router, Email, …) can hold user names and URLs in custom sections, but they are not website sign-ins and
    /// the SDK gives them no built-in username/password fields, so they are left out.
    /// </summary>
    public static bool IsCandidate(ItemDto item) =>
        item.TemplateUuid is LoginTemplate or PasswordTemplate && item.Trashed != "Y" && !string.IsNullOrEmpty(item.Uuid);

    public static ProviderItem? ToProviderItem(string vaultId, string vaultName, ItemDto item, ItemOverview overview)
    {
        var uris = Websites(overview);
        if (item.TemplateUuid == PasswordTemplate && uris.Count == 0)
        {
            return null;
        }

        // For logins the overview's "ainfo" (the line under the title in 1Password's lists) is the username, so the
        // sync needs no per-item details request. Password items have no username.
        var username = item.TemplateUuid == LoginTemplate && !string.IsNullOrWhiteSpace(overview.Ainfo) ? overview.Ainfo : null;
        return new ProviderItem(vaultId, vaultName, item.Uuid!, overview.Title ?? string.Empty, username, uris,
            Secrets: null, HasTotp: false, UpdatedAt: ParseTime(item.UpdatedAt), Version: VersionOf(item));
    }

    /// <summary>The item's <c>itemVersion</c> (bumped by 1Password on every change of the item), as text.</summary>
    public static string? VersionOf(ItemDto item) => item.ItemVersion?.ToString(CultureInfo.InvariantCulture);

    /// <summary>A listed login with the details read for it: username from the details, secrets, and whether it has a TOTP.</summary>
    public static ProviderItem WithDetails(ProviderItem login, ProviderItemDetails details) =>
        login with { Username = details.Username, Secrets = details.Secrets, HasTotp = details.Secrets.Totp is not null, Version = details.Version ?? login.Version };

    /// <summary>
    /// <c>URLs[]</c> with their match mode (<c>host</c> → Host, <c>never</c> → Never, else Default); without
    /// <c>URLs</c>, the single <c>url</c> (as the SDK's items.get shows it for Login and Password items).
    /// </summary>
    public static List<ProviderUri> Websites(ItemOverview overview)
    {
        var result = new List<ProviderUri>();
        if (overview.Urls is { Count: > 0 } urls)
        {
            foreach (var url in urls)
            {
                if (!string.IsNullOrWhiteSpace(url.U))
                {
                    result.Add(new ProviderUri(url.U, url.M switch
                    {
                        "host" => UriMatch.Host,
                        "never" => UriMatch.Never,
                        _ => UriMatch.Default,
                    }));
                }
            }
        }
        else if (!string.IsNullOrWhiteSpace(overview.Url))
        {
            result.Add(new ProviderUri(overview.Url));
        }

        return result;
    }

    /// <summary>Username, password and one-time-password secret from an item's details.</summary>
    public static (string? Username, ItemSecrets Secrets) FromDetails(string? templateUuid, ItemDetails details)
    {
        string? username = null;
        string? password = null;
        if (templateUuid == PasswordTemplate)
        {
            password = details.Password;
        }
        else
        {
            foreach (var field in details.Fields ?? [])
            {
                if (field.Designation == "username" && username is null)
                {
                    username = Text(field.Value);
                }
                else if (field.Designation == "password" && password is null)
                {
                    password = Text(field.Value);
                }
            }
        }

        return (username, new ItemSecrets(password, Totp(details)));
    }

    /// <summary>
    /// The one-time-password secret: the first section field of kind <c>concealed</c> whose name starts with
    /// <c>TOTP_</c> (§7.3); its value is an <c>otpauth://</c> URI or a bare base32 secret, returned verbatim.
    /// </summary>
    public static string? Totp(ItemDetails details)
    {
        foreach (var section in details.Sections ?? [])
        {
            foreach (var field in section.Fields ?? [])
            {
                if (field.K == "concealed" && field.N?.StartsWith("TOTP_", StringComparison.Ordinal) == true &&
                    Text(field.V) is { Length: > 0 } value)
                {
                    return value;
                }
            }
        }

        return null;
    }

    private static string? Text(JsonElement? value) => value is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    private static DateTimeOffset? ParseTime(string? value) =>
        DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;
}
