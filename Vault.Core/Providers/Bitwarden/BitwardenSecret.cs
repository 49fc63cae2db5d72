using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// What a Bitwarden connection keeps in the secret store: the API key, the master password, the server, and the
/// access token with its expiry and the account's KDF settings, so syncs reuse the token instead of logging in again.
/// </summary>
public sealed class BitwardenSecret
{
    public required string ClientId { get; init; }
    public required string ClientSecret { get; init; }
    public required string MasterPassword { get; init; }
    public string? ServerUrl { get; init; }
    public string? Region { get; init; }
    public string? ServerCaCertificate { get; init; }
    public string? AccessToken { get; set; }
    public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    public int? KdfType { get; set; }
    public int? KdfIterations { get; set; }
    public int? KdfMemory { get; set; }
    public int? KdfParallelism { get; set; }

    public string Serialize() => JsonSerializer.Serialize(this, BitwardenJson.Default.BitwardenSecret);

    public static BitwardenSecret Parse(string json) =>
        JsonSerializer.Deserialize(json, BitwardenJson.Default.BitwardenSecret) ?? throw new JsonException("Empty Bitwarden secret.");

    public override string ToString() => "BitwardenSecret { *** }";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BitwardenSecret))]
internal sealed partial class BitwardenJson : JsonSerializerContext;
