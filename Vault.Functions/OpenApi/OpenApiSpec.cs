using System.Text.Json;
using System.Text.Json.Nodes;

namespace Vault.Functions.OpenApi;

/// <summary>
/// The OpenAPI 3 document of the public API (API.md). Paths are written here with their meaning; a test keeps them equal
/// to the functions' actual routes and methods (<see cref="Http.FunctionRoutes"/>).
/// </summary>
public static class OpenApiSpec
{
    private static readonly Lazy<byte[]> Document = new(() => JsonSerializer.SerializeToUtf8Bytes(Build(), OpenApiJson.Default.JsonObject));

    public static byte[] Utf8 => Document.Value;

    private static JsonObject Build()
    {
        var paths = new JsonObject
        {
            ["/v1/health"] = new JsonObject { ["get"] = Op("Service health", "none", null, Responses(("200", "Healthy", Ref("Health")))) },
            ["/v1/openapi.json"] = new JsonObject { ["get"] = Op("This document", "none", null, Responses(("200", "OpenAPI 3 document", null))) },
            ["/v1/admin/accounts"] = new JsonObject
            {
                ["post"] = Op("Create an account and its first API key (shown once)", "admin", Body(Obj(("name", Str()))),
                    Responses(("201", "Created", Ref("CreatedAccount")), ("400", "invalid_request", Ref("Error")), ("401", "unauthorized", Ref("Error")), ("404", "admin routes disabled", Ref("Error")))),
            },
            ["/v1/admin/accounts/{accountId}/keys"] = new JsonObject
            {
                ["post"] = Op("Create another API key for the account (shown once)", "admin", null,
                    Responses(("201", "Created", Ref("CreatedKey")), ("401", "unauthorized", Ref("Error")), ("404", "not_found", Ref("Error"))), PathParam("accountId")),
            },
            ["/v1/admin/accounts/{accountId}/keys/{keyId}"] = new JsonObject
            {
                ["delete"] = Op("Revoke an API key at once", "admin", null,
                    Responses(("204", "Revoked", null), ("401", "unauthorized", Ref("Error")), ("404", "not_found", Ref("Error"))), PathParam("accountId"), PathParam("keyId")),
            },
            ["/v1/vault/connections"] = new JsonObject
            {
                ["post"] = Op("Connect a password manager (or re-connect the same identity in place) and run its first sync", "apiKey", Body(Ref("ConnectRequest")),
                    Responses(("200", "Re-connected in place", Ref("ConnectionWithItems")), ("201", "Connected", Ref("ConnectionWithItems")),
                        ("400", "invalid_request, invalid_vault_token or UNSUPPORTED_VAULT_ENCRYPTION", Ref("Error")), ("401", "unauthorized", Ref("Error")),
                        ("409", "max_connections", Ref("Error")), ("429", "rate_limited", Ref("Error")), ("503", "vault_unavailable", Ref("Error")))),
                ["get"] = Op("List connections", "apiKey", null,
                    Responses(("200", "Connections", Obj(("connections", Arr(Ref("Connection"))))), ("401", "unauthorized", Ref("Error")), ("429", "rate_limited", Ref("Error")))),
            },
            ["/v1/vault/connections/{connectionId}"] = new JsonObject
            {
                ["delete"] = Op("Disconnect: delete stored credentials and every cached item", "apiKey", null,
                    Responses(("200", "Disconnected", Obj(("disconnected", new JsonObject { ["type"] = "boolean" }), ("connectionId", Str()))), ("401", "unauthorized", Ref("Error")), ("404", "not_found", Ref("Error")), ("503", "vault_unavailable", Ref("Error"))),
                    PathParam("connectionId")),
            },
            ["/v1/vault/items"] = new JsonObject
            {
                ["get"] = Op("List cached items (never calls a provider), ordered by vaultName, label, itemId (case-insensitive)", "apiKey", null,
                    Responses(("200", "A page of items", Obj(("items", Arr(Ref("Item"))), ("nextPageToken", NullableStr()))),
                        ("400", "invalid_request", Ref("Error")), ("401", "unauthorized", Ref("Error")), ("404", "no_connections", Ref("Error"))),
                    QueryParam("domain", Str(), "a host or URL; items with a URL of the same registrable domain (Public Suffix List)"),
                    QueryParam("connectionId", Str()), QueryParam("vault", Str()), QueryParam("enabled", new JsonObject { ["type"] = "boolean" }),
                    QueryParam("limit", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 1000, ["default"] = 100 }),
                    QueryParam("pageToken", Str())),
            },
            ["/v1/vault/items/{itemId}"] = new JsonObject
            {
                ["patch"] = Op("Enable or disable an item (kept across syncs; a disabled item is never granted to a run)", "apiKey",
                    Body(Obj(("enabled", new JsonObject { ["type"] = "boolean" }))),
                    Responses(("200", "The item", Ref("Item")), ("400", "invalid_request", Ref("Error")), ("401", "unauthorized", Ref("Error")), ("404", "not_found", Ref("Error"))),
                    PathParam("itemId")),
            },
            ["/v1/vault/items/sync"] = new JsonObject
            {
                ["post"] = Op("Re-read every connection (or one) from its provider", "apiKey", Body(Obj(("connectionId", Str()))),
                    Responses(("200", "At least one connection synced", Ref("SyncResult")),
                        ("400", "UNSUPPORTED_VAULT_ENCRYPTION: no connection synced and those that failed use an encryption not readable yet", Ref("Error")),
                        ("401", "unauthorized or reconnect_required", Ref("Error")),
                        ("404", "no_connections or not_found", Ref("Error")), ("503", "vault_unavailable", Ref("Error")))),
            },
            ["/v1/usage"] = new JsonObject
            {
                ["get"] = Op("Billable calls per day and route", "apiKey", null,
                    Responses(("200", "Usage", Ref("Usage")), ("400", "invalid_request", Ref("Error")), ("401", "unauthorized", Ref("Error"))),
                    QueryParam("from", new JsonObject { ["type"] = "string", ["format"] = "date" }),
                    QueryParam("to", new JsonObject { ["type"] = "string", ["format"] = "date" })),
            },
        };

        foreach (var (path, item) in RunPaths.Build())
        {
            paths[path] = item;
        }

        // Operation ids are the functions' names in camelCase (createConnection, getRunCredentials, ...).
        foreach (var route in Http.FunctionRoutes.All)
        {
            if (paths["/" + route.Template]?[route.Method.ToLowerInvariant()] is JsonObject operation)
            {
                operation["operationId"] = char.ToLowerInvariant(route.Name[0]) + route.Name[1..];
            }
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject { ["title"] = "Vault API", ["version"] = "1.1.0", ["description"] = "Password-manager connections, a cache of login items, and credentials granted to agent runs." },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "X-API-Key" },
                    ["admin"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "X-Admin-Key" },
                    ["runToken"] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer" },
                },
                ["schemas"] = Schemas.Build(),
            },
        };
    }

    internal static JsonObject Op(string summary, string security, JsonObject? body, JsonObject responses, params JsonObject[] parameters)
    {
        var op = new JsonObject { ["summary"] = summary, ["responses"] = responses };
        op["security"] = security == "none" ? new JsonArray() : new JsonArray(new JsonObject { [security] = new JsonArray() });
        if (parameters.Length > 0)
        {
            op["parameters"] = new JsonArray(parameters.Select(p => (JsonNode)p).ToArray());
        }

        if (body is not null)
        {
            op["requestBody"] = body;
        }

        return op;
    }

    internal static JsonObject Responses(params (string Status, string Description, JsonObject? Schema)[] responses)
    {
        var result = new JsonObject();
        foreach (var (status, description, schema) in responses)
        {
            var response = new JsonObject { ["description"] = description };
            if (schema is not null)
            {
                response["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
            }

            result[status] = response;
        }

        return result;
    }

    internal static JsonObject Body(JsonObject schema) => new()
    {
        ["required"] = true,
        ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } },
    };

    internal static JsonObject PathParam(string name) =>
        new() { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = Str() };

    internal static JsonObject QueryParam(string name, JsonObject schema, string? description = null)
    {
        var p = new JsonObject { ["name"] = name, ["in"] = "query", ["required"] = false, ["schema"] = schema };
        if (description is not null)
        {
            p["description"] = description;
        }

        return p;
    }

    internal static JsonObject Ref(string name) => new() { ["$ref"] = "#/components/schemas/" + name };
    internal static JsonObject Str() => new() { ["type"] = "string" };
    internal static JsonObject NullableStr() => new() { ["type"] = "string", ["nullable"] = true };
    internal static JsonObject Arr(JsonObject items) => new() { ["type"] = "array", ["items"] = items };

    internal static JsonObject Obj(params (string Name, JsonObject Schema)[] properties)
    {
        var props = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            props[name] = schema;
        }

        return new JsonObject { ["type"] = "object", ["properties"] = props };
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class OpenApiJson : System.Text.Json.Serialization.JsonSerializerContext;
