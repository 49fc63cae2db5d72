namespace Vault.Core.Domains;

/// <summary>
/// How an item URI is matched to a site (Bitwarden's URI match detection; 1Password URLs map to Default, Host or Never).
/// A domain concept, so Domains stays a leaf that providers, items and runs all use.
/// </summary>
public enum UriMatch
{
    Default = 0,
    Domain,
    Host,
    StartsWith,
    Exact,
    RegularExpression,
    Never,
}
