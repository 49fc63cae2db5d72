using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// What a Bitwarden connection keeps (sealed under its connection key): the API key, the server, the access token with
/// its expiry, the account's KDF settings, and the user key with the fingerprint of what it was opened from. The master
/// password is here only between the connect request and the first read of the vault, and is never stored: syncs open
/// the vault with the kept user key and never run the KDF.
/// </summary>
public sealed class BitwardenSecret
{
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }
    /// <summary>Only at connect and re-connect (and in secrets of the older layout, which the next sync replaces).</summary>
    public string? MasterPassword { get; set; }

    /// <summary>The account's user key (its stored form, base64), opened once with the master password.</summary>
    public string? UserKey { get; set; }

    /// <summary>What <see cref="UserKey"/> was opened from (see <see cref="UserKeyUnlock"/>).</summary>
    public string? UnlockFingerprint { get; set; }
    public string? ServerUrl { get; init; }
    public string? Region { get; init; }
    public string? ServerCaCertificate { get; init; }
    public string? AccessToken { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    public int? KdfType { get; set; }
    public int? KdfIterations { get; set; }
    public int? KdfMemory { get; set; }
    public int? KdfParallelism { get; set; }

    /// <summary>The account revision date (ms) the last full read saw: a resync that finds it unmoved downloads nothing.</summary>
    public long? VaultRevision { get; set; }

    public string Serialize() => JsonSerializer.Serialize(this, BitwardenJson.Default.BitwardenSecret);

    public static BitwardenSecret Parse(string json) =>
        JsonSerializer.Deserialize(json, BitwardenJson.Default.BitwardenSecret) ?? throw new JsonException("Empty Bitwarden secret.");

    public override string ToString() => "BitwardenSecret { *** }";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BitwardenSecret))]
internal sealed partial class BitwardenJson : JsonSerializerContext;
