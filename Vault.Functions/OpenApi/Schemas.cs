using System.Text.Json.Nodes;
using static Vault.Functions.OpenApi.OpenApiSpec;

namespace Vault.Functions.OpenApi;

/// <summary>Component schemas of the OpenAPI document.</summary>
internal static class Schemas
{
    public static JsonObject Build()
    {
        var dateTime = new JsonObject { ["type"] = "string", ["format"] = "date-time" };
        var errorInfo = Obj(("code", Str()), ("message", Str()), ("at", dateTime.DeepClone().AsObject()));
        errorInfo["nullable"] = true;
        var connection = Obj(
            ("connectionId", Str()), ("provider", Enum("1password", "bitwarden")), ("status", Enum("active", "reconnect_required")),
            ("label", Str()), ("serverUrl", NullableStr()), ("itemCount", new JsonObject { ["type"] = "integer" }),
            ("vaults", Arr(Str())), ("createdAt", dateTime.DeepClone().AsObject()), ("lastSyncedAt", dateTime.DeepClone().AsObject()),
            ("lastError", errorInfo));
        var withItems = connection.DeepClone().AsObject();
        withItems["properties"]!.AsObject()["items"] = Arr(Ref("Item"));
        withItems["properties"]!.AsObject()["connected"] = new JsonObject { ["type"] = "boolean" };

        return new JsonObject
        {
            ["Error"] = Obj(("error", Obj(("code", Str()), ("message", Str()), ("requestId", Str()),
                ("details", Arr(Obj(("path", Arr(new JsonObject())), ("code", Str()), ("message", Str()))))))),
            ["Health"] = Obj(("status", Str())),
            ["CreatedAccount"] = Obj(("accountId", Str()), ("keyId", Str()), ("apiKey", Str())),
            ["CreatedKey"] = Obj(("keyId", Str()), ("apiKey", Str())),
            ["ConnectRequest"] = Obj(
                ("provider", Enum("1password", "bitwarden")), ("token", Str()), ("clientId", Str()), ("clientSecret", Str()),
                ("masterPassword", Str()), ("serverUrl", Str()), ("region", Enum("us", "eu")), ("serverCaCertificate", Str())),
            ["Connection"] = connection,
            ["ConnectionWithItems"] = withItems,
            ["Item"] = Obj(
                ("itemId", Str()), ("connectionId", Str()), ("provider", Str()), ("vaultId", Str()), ("vaultName", Str()),
                ("label", Str()), ("username", NullableStr()), ("urls", Arr(Str())), ("domains", Arr(Str())),
                ("fieldMetadata", Arr(Obj(("fieldId", Str()), ("label", Str()), ("type", Str())))),
                ("hasTotp", new JsonObject { ["type"] = "boolean" }), ("enabled", new JsonObject { ["type"] = "boolean" }),
                ("updatedAt", dateTime.DeepClone().AsObject())),
            ["SyncResult"] = Obj(
                ("items", Arr(Ref("Item"))),
                ("sync_summary", Obj(("added", Int()), ("updated", Int()), ("removed", Int()), ("skippedDisabled", Int()))),
                ("connections", Arr(Obj(("connectionId", Str()), ("status", Str()), ("itemCount", Int()), ("error", errorInfo.DeepClone().AsObject()))))),
            ["Usage"] = Obj(("days", Arr(Obj(("date", Str()), ("calls", Int()),
                ("byRoute", new JsonObject { ["type"] = "object", ["additionalProperties"] = Int() }))))),
            ["RunRequest"] = Obj(("url", Str()), ("goal", Str()), ("use_vault", new JsonObject { ["type"] = "boolean" }), ("credential_item_ids", Arr(Str()))),
            ["Run"] = Obj(("runId", Str()), ("status", Str()), ("url", NullableStr()),
                ("credentials", Arr(Obj(("itemId", Str()), ("label", Str()), ("username", NullableStr()), ("domains", Arr(Str()))))),
                ("expiresAt", dateTime.DeepClone().AsObject())),
            ["RunCreated"] = Obj(("runId", Str()), ("status", Str()), ("url", NullableStr()),
                ("credentials", Arr(Obj(("itemId", Str()), ("label", Str()), ("username", NullableStr()), ("domains", Arr(Str()))))),
                ("runToken", Str()), ("expiresAt", dateTime.DeepClone().AsObject())),
            ["RunCredentials"] = Obj(("credentials", Arr(Obj(
                ("itemId", Str()), ("label", Str()), ("username", NullableStr()), ("password", NullableStr()), ("urls", Arr(Str())),
                ("totp", new JsonObject { ["nullable"] = true, ["type"] = "object", ["properties"] = new JsonObject { ["code"] = Str(), ["expiresAt"] = dateTime.DeepClone() } }))))),
        };
    }

    private static JsonObject Int() => new() { ["type"] = "integer" };

    private static JsonObject Enum(params string[] values) =>
        new() { ["type"] = "string", ["enum"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()) };
}
