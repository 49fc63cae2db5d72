namespace Vault.Client.Playwright;

/// <summary>A granted login as an agent may see it: no password, no TOTP code.</summary>
/// <param name="Sites">The item's URLs (its URI rules), as the service lists them.</param>
public sealed record GrantedLogin(string ItemId, string Label, string? Username, IReadOnlyList<string> Sites);
