using System.ComponentModel.DataAnnotations;
namespace Vault.Core.Providers;

/// <summary>
/// What one provider answer may cost this service (section <c>Vault:Limits</c>). Every tenant can point a connection at
/// a server it runs, so each answer is read as a stream against these caps: a compression bomb stops at
/// <see cref="MaxResponseBytes"/> inflated bytes, a slow or endless body at <see cref="ResponseBodyTimeout"/>. Over a cap
/// a connect answers <c>400 VAULT_TOO_LARGE</c> naming it; a later sync records it and keeps the cache.
/// </summary>
public sealed class ProviderLimits
{
    public const string Section = "Vault:Limits";

    /// <summary>
    /// Bytes of one answer after decompression. A Bitwarden sync carries about 3 KiB per login (every field an
    /// EncString), so 64 MiB holds some 20,000 items, far above the seed's 10,000-item ceiling, and bounds the memory a
    /// hostile server can make one read take.
    /// </summary>
    [Range(1024L, long.MaxValue, ErrorMessage = "Vault__Limits__MaxResponseBytes must be at least 1024.")]
    public long MaxResponseBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>JSON nesting depth (real answers nest fewer than 10 levels).</summary>
    [Range(8, 1024, ErrorMessage = "Vault__Limits__MaxJsonDepth must be between 8 and 1024.")]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Items (Bitwarden ciphers, 1Password items) in one vault read.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Vault__Limits__MaxItems must be at least 1.")]
    public int MaxItems { get; set; } = 100_000;

    /// <summary>URIs of one item (password managers show a handful; 1,000 is far past any real item).</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Vault__Limits__MaxUrisPerItem must be at least 1.")]
    public int MaxUrisPerItem { get; set; } = 1_000;

    /// <summary>Custom fields of one item.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Vault__Limits__MaxFieldsPerItem must be at least 1.")]
    public int MaxFieldsPerItem { get; set; } = 1_000;

    /// <summary>
    /// Time for one answer's body once its headers arrived, however slowly it drips. A 64 MiB body needs a few seconds
    /// on any real link.
    /// </summary>
    public TimeSpan ResponseBodyTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
