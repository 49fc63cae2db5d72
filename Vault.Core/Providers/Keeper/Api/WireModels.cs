using System.Text.Json;
using System.Text.Json.Serialization;

namespace Vault.Core.Providers.Keeper.Api;

/// <summary>The body of <c>get_secret</c> before it is encrypted (field order as the SDK writes it).</summary>
internal sealed record GetSecretPayload
{
    [JsonPropertyName("clientVersion")] public required string ClientVersion { get; init; }
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }

    /// <summary>The device's public point (base64), only while binding.</summary>
    [JsonPropertyName("publicKey")] public string? PublicKey { get; init; }
}

/// <summary><c>get_secret</c>'s decrypted answer.</summary>
internal sealed record SecretsResponse
{
    [JsonPropertyName("appData")] public string? AppData { get; init; }
    [JsonPropertyName("encryptedAppKey")] public string? EncryptedAppKey { get; init; }
    [JsonPropertyName("appOwnerPublicKey")] public string? AppOwnerPublicKey { get; init; }
    [JsonPropertyName("folders")] public List<SecretsFolder>? Folders { get; init; }
    [JsonPropertyName("records")] public List<SecretsRecord>? Records { get; init; }
    [JsonPropertyName("expiresOn")] public long? ExpiresOn { get; init; }
    [JsonPropertyName("warnings")] public List<string>? Warnings { get; init; }
}

internal sealed record SecretsFolder
{
    [JsonPropertyName("folderUid")] public string? FolderUid { get; init; }
    [JsonPropertyName("folderKey")] public string? FolderKey { get; init; }
    [JsonPropertyName("data")] public string? Data { get; init; }
    [JsonPropertyName("parent")] public string? Parent { get; init; }
    [JsonPropertyName("records")] public List<SecretsRecord>? Records { get; init; }
}

internal sealed record SecretsRecord
{
    [JsonPropertyName("recordUid")] public string? RecordUid { get; init; }
    [JsonPropertyName("recordKey")] public string? RecordKey { get; init; }
    [JsonPropertyName("data")] public string? Data { get; init; }
    [JsonPropertyName("revision")] public long? Revision { get; init; }
}

/// <summary>A non-200 answer's JSON (<c>error</c> or <c>result_code</c>, <c>message</c>, <c>key_id</c>, <c>retry_after</c>).</summary>
internal sealed record ErrorAnswer
{
    [JsonPropertyName("error")] public string? Error { get; init; }
    [JsonPropertyName("result_code")] public string? ResultCode { get; init; }
    [JsonPropertyName("message")] public string? Message { get; init; }
    [JsonPropertyName("key_id")] public JsonElement? KeyId { get; init; }
    [JsonPropertyName("retry_after")] public JsonElement? RetryAfter { get; init; }
}

/// <summary>A record's decrypted data: its type, title and typed fields (standard and custom).</summary>
internal sealed record RecordData
{
    [JsonPropertyName("title")] public string? Title { get; init; }
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("fields")] public List<RecordField>? Fields { get; init; }
    [JsonPropertyName("custom")] public List<RecordField>? Custom { get; init; }
}

/// <summary>One field: a type, an optional label, and its values (strings for the login-carrying types).</summary>
internal sealed record RecordField
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("label")] public string? Label { get; init; }
    [JsonPropertyName("value")] public List<JsonElement>? Value { get; init; }
}

/// <summary>A folder's or the application's decrypted data (<c>name</c>, <c>title</c>).</summary>
internal sealed record NamedData
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("title")] public string? Title { get; init; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GetSecretPayload))]
[JsonSerializable(typeof(SecretsResponse))]
[JsonSerializable(typeof(ErrorAnswer))]
[JsonSerializable(typeof(RecordData))]
[JsonSerializable(typeof(NamedData))]
[JsonSerializable(typeof(KeeperDevice))]
[JsonSerializable(typeof(PendingBinding))]
internal sealed partial class KeeperJson : JsonSerializerContext;
