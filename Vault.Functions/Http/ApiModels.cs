using System.Text.Json.Serialization;

namespace Vault.Functions.Http;

// Request and response bodies of the public API (API.md). Requests take nullable fields so that the service, not the
// serializer, names what is missing.

public sealed class ErrorBody
{
    public required ErrorDetail Error { get; init; }
}

public sealed record ErrorDetail(
    string Code,
    string Message,
    string RequestId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ErrorDetailEntry>? Details);

/// <summary>One problem of an INVALID_INPUT error: the JSON path of the field or query parameter (names and indexes).</summary>
public sealed record ErrorDetailEntry(System.Text.Json.Nodes.JsonArray Path, string Code, string Message);

public sealed record HealthBody(string Status);

public sealed class CreateAccountRequest
{
    public string? Name { get; set; }
}

public sealed record CreatedAccountBody(string AccountId, string KeyId, string ApiKey);

public sealed record CreatedKeyBody(string KeyId, string ApiKey);

public sealed class ConnectRequest
{
    public string? Provider { get; set; }
    public string? Token { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string? MasterPassword { get; set; }
    public string? ServerUrl { get; set; }
    public string? Region { get; set; }
    public string? ServerCaCertificate { get; set; }
}

public sealed record ErrorInfoBody(string Code, string Message, DateTime At);

public sealed record ConnectionBody
{
    /// <summary>True on the connect answer, as the hosted product says; absent elsewhere.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Connected { get; init; }


    public required string ConnectionId { get; init; }
    public required string Provider { get; init; }
    public required string Status { get; init; }
    public required string Label { get; init; }
    public string? ServerUrl { get; init; }
    public int ItemCount { get; init; }
    public required IReadOnlyList<string> Vaults { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? LastSyncedAt { get; init; }
    public ErrorInfoBody? LastError { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ItemBody>? Items { get; init; }
}

public sealed record DisconnectedBody(bool Disconnected, string ConnectionId);

public sealed record ConnectionListBody(IReadOnlyList<ConnectionBody> Connections);

public sealed record FieldMetadataBody(string FieldId, string Label, string Type);

public sealed class ItemBody
{
    public required string ItemId { get; init; }
    public required string ConnectionId { get; init; }
    public required string Provider { get; init; }
    public required string VaultId { get; init; }
    public required string VaultName { get; init; }
    public required string Label { get; init; }
    public string? Username { get; init; }
    public required IReadOnlyList<string> Urls { get; init; }
    public required IReadOnlyList<string> Domains { get; init; }
    public required IReadOnlyList<FieldMetadataBody> FieldMetadata { get; init; }
    public bool HasTotp { get; init; }
    public bool Enabled { get; init; }
    public DateTime UpdatedAt { get; init; }
}

public sealed record ItemListBody(IReadOnlyList<ItemBody> Items, string? NextPageToken);

public sealed class PatchItemRequest
{
    public bool? Enabled { get; set; }
}

public sealed class SyncRequest
{
    public string? ConnectionId { get; set; }
}

public sealed record SyncSummaryBody(int Added, int Updated, int Removed, int SkippedDisabled);

public sealed record SyncConnectionBody(string ConnectionId, string Status, int ItemCount, ErrorInfoBody? Error);

public sealed class SyncBody
{
    public required IReadOnlyList<ItemBody> Items { get; init; }

    [JsonPropertyName("sync_summary")]
    public required SyncSummaryBody SyncSummary { get; init; }

    public required IReadOnlyList<SyncConnectionBody> Connections { get; init; }
}

public sealed record UsageDayBody(string Date, long Calls, IReadOnlyDictionary<string, long> ByRoute);

public sealed record UsageBody(IReadOnlyList<UsageDayBody> Days);

public sealed class CreateRunRequest
{
    public string? Url { get; set; }
    public string? Goal { get; set; }

    [JsonPropertyName("use_vault")]
    public bool? UseVault { get; set; }

    [JsonPropertyName("credential_item_ids")]
    public List<string>? CredentialItemIds { get; set; }
}

public sealed record RunCredentialSummaryBody(string ItemId, string Label, string? Username, IReadOnlyList<string> Domains);

public sealed class RunBody
{
    public required string RunId { get; init; }
    public required string Status { get; init; }
    public string? Url { get; init; }
    public required IReadOnlyList<RunCredentialSummaryBody> Credentials { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? RunToken { get; init; }

    public DateTime ExpiresAt { get; init; }
}

public sealed record TotpBody(string Code, DateTime ExpiresAt);

public sealed record RunCredentialBody(string ItemId, string Label, string? Username, string? Password, IReadOnlyList<string> Urls, TotpBody? Totp);

public sealed record RunCredentialsBody(IReadOnlyList<RunCredentialBody> Credentials);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never, AllowTrailingCommas = false)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(CreatedAccountBody))]
[JsonSerializable(typeof(CreatedKeyBody))]
[JsonSerializable(typeof(ConnectRequest))]
[JsonSerializable(typeof(ConnectionBody))]
[JsonSerializable(typeof(ConnectionListBody))]
[JsonSerializable(typeof(DisconnectedBody))]
[JsonSerializable(typeof(ItemListBody))]
[JsonSerializable(typeof(ItemBody))]
[JsonSerializable(typeof(PatchItemRequest))]
[JsonSerializable(typeof(SyncRequest))]
[JsonSerializable(typeof(SyncBody))]
[JsonSerializable(typeof(UsageBody))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(RunBody))]
[JsonSerializable(typeof(RunCredentialsBody))]
public sealed partial class ApiJson : JsonSerializerContext;
