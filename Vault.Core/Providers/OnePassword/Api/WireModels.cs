using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vault.Core.Providers.OnePassword.Api;

// Wire shapes of the 1Password service-account protocol (docs/onepassword-protocol.md §1-§7). Only what the client reads or sends;
// unknown fields are ignored. Properties are nullable because the server's answers are validated after parsing,
// with messages that say which part was missing rather than a serializer error that could echo data.

internal sealed class TokenPayload
{
    public string? SignInAddress { get; set; }
    public string? Email { get; set; }
    public string? SecretKey { get; set; }
    public string? SrpX { get; set; }
    public Jwk? Muk { get; set; }
    public UserAuth? UserAuth { get; set; }
    public string? DeviceUuid { get; set; }
    public ThrottleSecret? ThrottleSecret { get; set; }
}

internal sealed class ThrottleSecret
{
    public string? Seed { get; set; }
    public string? Uuid { get; set; }
}

/// <summary>A JSON Web Key as 1Password stores keys (symmetric A256GCM, RSA-OAEP, EC).</summary>
internal sealed class Jwk
{
    public string? Alg { get; set; }
    public bool? Ext { get; set; }
    public string? K { get; set; }
    [JsonPropertyName("key_ops")] public List<string>? KeyOps { get; set; }
    public string? Kty { get; set; }
    public string? Kid { get; set; }
    public string? N { get; set; }
    public string? E { get; set; }
    public string? D { get; set; }
    public string? P { get; set; }
    public string? Q { get; set; }
    public string? Dp { get; set; }
    public string? Dq { get; set; }
    public string? Qi { get; set; }
    public string? Crv { get; set; }
    public string? X { get; set; }
    public string? Y { get; set; }
}

internal sealed class UserAuth
{
    public string? Method { get; set; }
    public string? Alg { get; set; }
    public long? Iterations { get; set; }
    public string? Salt { get; set; }
}

internal sealed class AuthStartRequest
{
    public string? Email { get; set; }
    public string? SkFormat { get; set; }
    public string? Skid { get; set; }
    public string? DeviceUuid { get; set; }
    public string? UserUuid { get; set; }
}

internal sealed class AuthStartResponse
{
    public string? Status { get; set; }
    [JsonPropertyName("sessionID")] public string? SessionId { get; set; }
    public string? AccountKeyFormat { get; set; }
    public string? AccountKeyUuid { get; set; }
    public UserAuth? UserAuth { get; set; }
}

internal sealed class AuthRequest
{
    public string? UserA { get; set; }
}

internal sealed class AuthResponse
{
    [JsonPropertyName("sessionID")] public string? SessionId { get; set; }
    public string? UserB { get; set; }
}

internal sealed class ConfirmKeyRequest
{
    public string? ClientVerifyHash { get; set; }
}

internal sealed class ConfirmKeyResponse
{
    public string? ServerVerifyHash { get; set; }
}

internal sealed class AuthCompleteRequest
{
    public string? Client { get; set; }

    /// <summary>Sent as an explicit null, as the SDK does.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.Never)] public JsonElement? Device { get; set; }
}

internal sealed class AuthCompleteResponse
{
    public string? UserUuid { get; set; }
}

internal sealed class DeviceRegistration
{
    public string? Uuid { get; set; }
    public string? ClientName { get; set; }
    public string? ClientVersion { get; set; }
    public string? Name { get; set; }
    public string? Model { get; set; }
    public string? OsName { get; set; }
    public string? OsVersion { get; set; }
    public string? UserAgent { get; set; }
}

/// <summary>An encrypted envelope: AES-256-GCM (iv + data = ciphertext ‖ tag) or RSA-OAEP (data only).</summary>
internal sealed class Envelope
{
    // Declared in the order the SDK writes them.
    public string? Cty { get; set; }
    public string? Kid { get; set; }
    public string? Enc { get; set; }
    public string? Iv { get; set; }
    public string? Data { get; set; }
    public string? Alg { get; set; }
    public long? P2c { get; set; }
    public string? P2s { get; set; }
}

internal sealed class VaultDto
{
    public string? Uuid { get; set; }
    public string? Type { get; set; }
    public string? CreatedAt { get; set; }
    public string? UpdatedAt { get; set; }
    public long? AttrVersion { get; set; }
    public long? ContentVersion { get; set; }
    public Envelope? EncAttrs { get; set; }
    public long? ActiveItemCount { get; set; }
    public long? ClientAccess { get; set; }
    public CombinedAccess? CombinedAccess { get; set; }
}

internal sealed class CombinedAccess
{
    public string? VaultUuid { get; set; }
    public string? AccessorType { get; set; }
    public string? AccessorUuid { get; set; }
    public long? AccessVersion { get; set; }
    public long? Acl { get; set; }
    public long? LeaseTimeout { get; set; }
    public long? VaultKeySN { get; set; }
    public Envelope? EncVaultKey { get; set; }
    public string? EncryptedBy { get; set; }
}

internal sealed class KeysetsResponse
{
    public List<Keyset>? Keysets { get; set; }
    public long? Version { get; set; }
}

internal sealed class Keyset
{
    public string? Uuid { get; set; }
    public string? EncryptedBy { get; set; }
    public long? Sn { get; set; }
    public Envelope? EncSymKey { get; set; }
    public Envelope? EncPriKey { get; set; }
    public Jwk? PubKey { get; set; }
    public Envelope? EncSPriKey { get; set; }
    public Jwk? SpubKey { get; set; }
}

internal sealed class OverviewsResponse
{
    public long? ContentVersion { get; set; }
    public List<ItemDto>? Items { get; set; }
    public bool? BatchComplete { get; set; }
}

internal sealed class ItemResponse
{
    public long? ContentVersion { get; set; }
    public ItemDto? Item { get; set; }
}

internal sealed class ItemDto
{
    public string? Uuid { get; set; }
    public string? TemplateUuid { get; set; }
    public string? Trashed { get; set; }
    public string? CreatedAt { get; set; }
    public string? UpdatedAt { get; set; }
    public string? ChangerUuid { get; set; }
    public long? ItemVersion { get; set; }
    public string? EncryptedBy { get; set; }
    public Envelope? EncOverview { get; set; }
    public Envelope? EncDetails { get; set; }
    public long? FaveIndex { get; set; }
}

internal sealed class VaultAttrs
{
    public string? Uuid { get; set; }
    public string? Name { get; set; }
    public string? Desc { get; set; }
    public string? Avatar { get; set; }
    public string? Type { get; set; }
}

internal sealed class ItemOverview
{
    public string? Title { get; set; }
    public string? Url { get; set; }
    [JsonPropertyName("URLs")] public List<OverviewUrl>? Urls { get; set; }
    public string? Ainfo { get; set; }
    public List<string>? Tags { get; set; }
}

internal sealed class OverviewUrl
{
    public string? L { get; set; }
    public string? U { get; set; }
    public string? M { get; set; }
}

internal sealed class ItemDetails
{
    public List<DetailField>? Fields { get; set; }
    public List<DetailSection>? Sections { get; set; }
    public string? NotesPlain { get; set; }

    /// <summary>Password items (005) keep their password here.</summary>
    public string? Password { get; set; }
}

internal sealed class DetailField
{
    public string? Designation { get; set; }
    public string? Name { get; set; }
    public string? Type { get; set; }
    public JsonElement? Value { get; set; }
    public string? Id { get; set; }
}

internal sealed class DetailSection
{
    public string? Name { get; set; }
    public string? Title { get; set; }
    public List<SectionField>? Fields { get; set; }
}

internal sealed class SectionField
{
    public string? K { get; set; }
    public string? N { get; set; }
    public string? T { get; set; }
    public JsonElement? V { get; set; }
}

/// <summary>An answer whose content does not matter (device registration answers <c>{}</c> or <c>{"success":1}</c>).</summary>
internal sealed class AnyAnswer;

internal sealed class ErrorBody
{
    public long? ErrorCode { get; set; }
    public string? ErrorMessage { get; set; }
    public long? RequestId { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(TokenPayload))]
[JsonSerializable(typeof(Jwk))]
[JsonSerializable(typeof(AuthStartRequest))]
[JsonSerializable(typeof(AuthStartResponse))]
[JsonSerializable(typeof(AuthRequest))]
[JsonSerializable(typeof(AuthResponse))]
[JsonSerializable(typeof(ConfirmKeyRequest))]
[JsonSerializable(typeof(ConfirmKeyResponse))]
[JsonSerializable(typeof(AuthCompleteRequest))]
[JsonSerializable(typeof(AuthCompleteResponse))]
[JsonSerializable(typeof(DeviceRegistration))]
[JsonSerializable(typeof(Envelope))]
[JsonSerializable(typeof(List<VaultDto>))]
[JsonSerializable(typeof(VaultDto))]
[JsonSerializable(typeof(KeysetsResponse))]
[JsonSerializable(typeof(OverviewsResponse))]
[JsonSerializable(typeof(ItemResponse))]
[JsonSerializable(typeof(VaultAttrs))]
[JsonSerializable(typeof(ItemOverview))]
[JsonSerializable(typeof(ItemDetails))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(AnyAnswer))]
[JsonSerializable(typeof(StoredSecret))]
internal sealed partial class OnePasswordJson : JsonSerializerContext
{
    /// <summary>
    /// The context used on the wire: like the SDK (serde), it writes <c>+</c> and non-ASCII as they are, so bodies have
    /// the SDK's bytes (the default encoder would write <c>b5\u002Bjwk\u002Bjson</c>).
    /// </summary>
    public static OnePasswordJson Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
