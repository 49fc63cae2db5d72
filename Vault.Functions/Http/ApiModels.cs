using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Core.Providers;
using Vault.Core.Runs;
using Vault.Functions.OpenApi;
using Vault.Core.Connections.Sync;

namespace Vault.Functions.Http;

// Request and response bodies of the public API (docs/api.md). Requests take nullable fields so that the service, not the
// serializer, names what is missing. The OpenAPI document's schemas are exported from these types (OpenApi/ApiSchemas):
// nullability, [Required] (requests), [Description], [SchemaEnum] and [SchemaVariant] are what it reads.

[Description("The body of every error answer.")]
public sealed class ErrorBody
{
    public required ErrorDetail Error { get; init; }
}

public sealed record ErrorDetail(
    [property: SchemaEnum(typeof(ErrorCodes))] string Code,
    [property: Description("For people; never contains a secret.")] string Message,
    [property: Description("The X-Request-Id of the call, for support.")] string RequestId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), Description("Only on INVALID_INPUT: one entry per problem.")]
    IReadOnlyList<ErrorDetailEntry>? Details);

/// <summary>One problem of an INVALID_INPUT error: the JSON path of the field or query parameter (names and indexes).</summary>
public sealed record ErrorDetailEntry(
    [property: Description("The field or query parameter as JSON path segments, e.g. [\"credential_item_ids\", 2]; empty for the whole body.")]
    System.Text.Json.Nodes.JsonArray Path,
    [property: SchemaEnum(typeof(InputProblemKind))] string Code,
    string Message);

public sealed record HealthBody(string Status);

public sealed class CreateAccountRequest
{
    [Required, Description("1 to 200 characters.")]
    public string? Name { get; set; }
}

public sealed record CreatedAccountBody(string AccountId, string KeyId, string ApiKey);

public sealed record CreatedKeyBody(string KeyId, string ApiKey);

public sealed class ConnectRequest
{
    [Required, SchemaEnum(typeof(ProviderKinds))]
    public string? Provider { get; set; }

    [Description("1password: the service account token (ops_...). keeper: the one-time access token (US:..., EU:..., AU:..., GOV:..., JP:..., CA:... or host[:port]:...) or the base64 configuration JSON of a bound device.")]
    public string? Token { get; set; }

    [Description("bitwarden: the API key's client_id (user.<uuid>).")]
    public string? ClientId { get; set; }

    [Description("bitwarden: the API key's client_secret.")]
    public string? ClientSecret { get; set; }

    [Description("bitwarden: the master password, to decrypt the vault.")]
    public string? MasterPassword { get; set; }

    [Description("bitwarden: a self-hosted server (https://); the US cloud when absent.")]
    public string? ServerUrl { get; set; }

    [Description("bitwarden: \"eu\" for the EU cloud, \"us\" (default) for the US cloud.")]
    public string? Region { get; set; }

    [Description("bitwarden: PEM of the private CA a self-hosted server's certificate chains to, trusted for that server only.")]
    public string? ServerCaCertificate { get; set; }
}

[Description("Why the connection's last sync failed.")]
public sealed record ErrorInfoBody([property: SchemaEnum(typeof(ErrorCodes))] string Code, string Message, DateTime At);

public sealed record ConnectionBody
{
    /// <summary>True on the connect answer, as the hosted product says; absent elsewhere.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), SchemaVariant("ConnectionWithItems")]
    public bool? Connected { get; init; }

    public required string ConnectionId { get; init; }
    [SchemaEnum(typeof(ProviderKinds))]
    public required string Provider { get; init; }

    [SchemaEnum(typeof(ConnectionStatus))]
    public required string Status { get; init; }

    [Description("The account's name or e-mail at the provider.")]
    public required string Label { get; init; }

    public string? ServerUrl { get; init; }
    public int ItemCount { get; init; }
    public required IReadOnlyList<string> Vaults { get; init; }
    public DateTime CreatedAt { get; init; }
    [Description("Null until a sync has succeeded.")]
    public DateTime? LastSyncedAt { get; init; }

    public ErrorInfoBody? LastError { get; init; }

    [Description("When background resync next reads this connection (after failures it backs off: 1 h, 2 h, 4 h… up to the " +
        "resync interval); null when it is not resynced (reconnect_required).")]
    public DateTime? NextSyncAt { get; init; }

    /// <summary>The synced items, on the connect answer only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), SchemaVariant("ConnectionWithItems")]
    public IReadOnlyList<ItemBody>? Items { get; init; }
}

public sealed record DisconnectedBody(bool Disconnected, string ConnectionId);

public sealed record ConnectionListBody(IReadOnlyList<ConnectionBody> Connections);

public sealed record FieldMetadataBody(string FieldId, string Label, string Type);

[Description("A cached login item: never a password, TOTP secret or provider token.")]
public sealed class ItemBody
{
    [Description("cred:<connectionId>:<vaultId>:<providerItemId>, stable across syncs.")]
    public required string ItemId { get; init; }

    public required string ConnectionId { get; init; }

    [SchemaEnum(typeof(ProviderKinds))]
    public required string Provider { get; init; }

    public required string VaultId { get; init; }
    public required string VaultName { get; init; }
    public required string Label { get; init; }
    public string? Username { get; init; }
    public required IReadOnlyList<string> Urls { get; init; }
    [Description("Registrable domains of the website URLs (Public Suffix List).")]
    public required IReadOnlyList<string> Domains { get; init; }

    public required IReadOnlyList<FieldMetadataBody> FieldMetadata { get; init; }
    public bool HasTotp { get; init; }
    public bool Enabled { get; init; }
    public DateTime UpdatedAt { get; init; }
}

public sealed record ItemListBody(
    IReadOnlyList<ItemBody> Items,
    [property: Description("Pass as pageToken for the next page; null on the last page.")] string? NextPageToken);

public sealed class PatchItemRequest
{
    [Required]
    public bool? Enabled { get; set; }
}

public sealed class SyncRequest
{
    [Description("Sync only this connection; every connection when absent.")]
    public string? ConnectionId { get; set; }
}

public sealed record SyncSummaryBody(int Added, int Updated, int Removed, int SkippedDisabled);

public sealed record SyncConnectionBody(
    string ConnectionId, [property: SchemaEnum(typeof(ConnectionStatus))] string Status, int ItemCount, ErrorInfoBody? Error);

public sealed class SyncResultBody
{
    [Description("The whole cache after the sync.")]
    public required IReadOnlyList<ItemBody> Items { get; init; }

    [JsonPropertyName("sync_summary")]
    public required SyncSummaryBody SyncSummary { get; init; }

    public required IReadOnlyList<SyncConnectionBody> Connections { get; init; }
}

public sealed record UsageDayBody(
    [property: DataType(DataType.Date)] string Date,
    long Calls,
    [property: Description("Calls per route, e.g. \"GET /v1/vault/items\".")] IReadOnlyDictionary<string, long> ByRoute);

public sealed record UsageBody(IReadOnlyList<UsageDayBody> Days);

public sealed class CreateRunRequest
{
    [Description("The page the agent starts on.")]
    public string? Url { get; set; }

    public string? Goal { get; set; }

    [JsonPropertyName("use_vault"), Description("true without credential_item_ids: every enabled item, read by domain.")]
    public bool? UseVault { get; set; }

    [JsonPropertyName("credential_item_ids"), Description("The run is granted exactly these enabled items.")]
    public List<string>? CredentialItemIds { get; set; }

    [Description("Texts to the account's SMS number reach this run too.")]
    public bool? SmsCodes { get; set; }
}

public sealed record RunInboxBody(
    [property: Description("The run's own e-mail address, when the service has a mail domain; mail to it is this run's alone.")] string? Email,
    [property: Description("The account's SMS number, when one is assigned and the run asked for smsCodes.")] string? Sms);

public sealed record RunCredentialSummaryBody(string ItemId, string Label, string? Username, IReadOnlyList<string> Domains);

public sealed class RunBody
{
    public required string RunId { get; init; }

    [SchemaEnum(typeof(RunStatus))]
    public required string Status { get; init; }

    public string? Url { get; init; }
    public required IReadOnlyList<RunCredentialSummaryBody> Credentials { get; init; }

    /// <summary>On the create answer only: the token is shown once.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull), SchemaVariant("RunCreated"), Description("Shown once: the bearer token of getRunCredentials.")]
    public string? RunToken { get; init; }

    public DateTime ExpiresAt { get; init; }

    [Description("Where one-time codes for this run can be sent.")]
    public RunInboxBody? Inbox { get; init; }
}

public sealed class PushCodeRequest
{
    [Required, Description("The message: its code and link are found in it (the text itself is not kept).")]
    public string? Text { get; set; }

    public string? From { get; set; }
    public string? Subject { get; set; }
}

public sealed record PushedCodeBody(string Id);

public sealed record RunCodeBody(
    string Id,
    [property: SchemaEnum(typeof(Vault.Core.Codes.CodeChannel))] string Channel,
    string? From,
    string? Subject,
    [property: Description("The verification code found in the message, or null.")] string? Code,
    [property: Description("The first sign-in or verification link found, or null.")] string? Link,
    DateTime ReceivedAt);

public sealed record RunCodesBody(
    [property: Description("Oldest first.")] IReadOnlyList<RunCodeBody> Codes,
    [property: Description("Pass as after to get only what arrives later.")] string Cursor);

public sealed class SmsNumberRequest
{
    [Required, Description("E.164, e.g. +15551230000.")]
    public string? Number { get; set; }
}

public sealed record SmsNumberBody(string AccountId, string Number);

public sealed record TotpBody(string Code, DateTime ExpiresAt);

public sealed record RunCredentialBody(
    string ItemId, string Label, string? Username, string? Password, IReadOnlyList<string> Urls,
    [property: Description("The current code, when the item has a TOTP seed.")] TotpBody? Totp);

public sealed record RunCredentialsBody(IReadOnlyList<RunCredentialBody> Credentials);

public sealed record RunAuditEntryBody(
    [property: Description("When the credentials were read.")] DateTime At,
    [property: Description("The items handed out by that read (empty when none matched).")] IReadOnlyList<string> ItemIds,
    [property: Description("The domain the read asked for, or null.")] string? Domain,
    [property: Description("The client address of the agent runtime that read them.")] string? Caller,
    [property: Description("Its User-Agent header, up to 200 characters.")] string? UserAgent);

public sealed record RunAuditBody(
    [property: Description("Newest first.")] IReadOnlyList<RunAuditEntryBody> Entries,
    [property: Description("Pass as pageToken for the next page; null on the last page.")] string? NextPageToken);

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
[JsonSerializable(typeof(SyncResultBody))]
[JsonSerializable(typeof(UsageBody))]
[JsonSerializable(typeof(CreateRunRequest))]
[JsonSerializable(typeof(RunBody))]
[JsonSerializable(typeof(RunCredentialsBody))]
[JsonSerializable(typeof(RunAuditBody))]
[JsonSerializable(typeof(PushCodeRequest))]
[JsonSerializable(typeof(PushedCodeBody))]
[JsonSerializable(typeof(RunCodesBody))]
[JsonSerializable(typeof(SmsNumberRequest))]
[JsonSerializable(typeof(SmsNumberBody))]
public sealed partial class ApiJson : JsonSerializerContext;
