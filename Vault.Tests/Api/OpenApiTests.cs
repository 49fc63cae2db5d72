using System.Reflection;
using System.Text.Json.Nodes;
using Vault.Core.Errors;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OpenApiTests : ApiTestBase
{
    private async Task<JsonObject> ServedDocumentAsync() =>
        (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/openapi.json", null), 200))!.AsObject();

    [Fact]
    public async Task Each_error_code_is_answered_with_the_status_the_document_gives_it()
    {
        // Core throws codes only; ErrorStatus is the one place they become statuses. Every error any operation
        // documents must agree with it, and every code Core can throw has a status other than 500.
        var doc = await ServedDocumentAsync();
        var documented = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject())
            .SelectMany(m => m.Value!["responses"]!.AsObject())
            .Where(r => r.Value!["x-error-codes"] is not null)
            .SelectMany(r => r.Value!["x-error-codes"]!.AsArray().Select(code => (Status: int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture), Code: code!.GetValue<string>())))
            .Distinct()
            .ToList();
        Assert.Contains((503, ErrorCodes.VaultUnavailable), documented);
        Assert.All(documented, e => Assert.Equal(e.Status, ErrorStatus.Of(e.Code)));
        Assert.All(ErrorCodes.All.Where(c => c != ErrorCodes.InternalError), code => Assert.NotEqual(500, ErrorStatus.Of(code)));
    }

    [Fact]
    public async Task Document_describes_exactly_the_functions_routes_and_methods()
    {
        var doc = await ServedDocumentAsync();
        var documented = doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}"))
            .Order(StringComparer.Ordinal).ToList();
        var api = FunctionRoutes.All.Where(r => r.Operation is not null).Select(r => r.Key).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(api, documented);
        Assert.Contains("POST /v1/vault/connections", api);

        // Every HTTP function says whether it is part of the API: none is left out of the document by accident.
        Assert.All(FunctionRoutes.All, r => Assert.True(
            r.Operation is not null ^ r.Handler.GetCustomAttribute<NotInApiDocumentAttribute>() is not null,
            $"{r.Name} needs exactly one of [ApiOperation] or [NotInApiDocument]"));

        // Every $ref resolves.
        var schemas = doc["components"]!["schemas"]!.AsObject();
        foreach (var reference in Refs(doc))
        {
            Assert.True(schemas.ContainsKey(reference.Split('/').Last()), reference);
        }
    }

    [Fact]
    public async Task Operation_ids_servers_security_and_license_are_as_the_contract_says()
    {
        var doc = await ServedDocumentAsync();
        Assert.Equal("3.1.0", doc["openapi"]!.GetValue<string>());
        Assert.Equal("1.1.0", doc["info"]!["version"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(doc["info"]!["license"]!["name"]!.GetValue<string>()));
        Assert.NotEmpty(doc["servers"]!.AsArray());

        var operations = Operations(doc).ToList();
        var ids = operations.Select(o => o.Operation["operationId"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        string[] contract =
        [
            "createConnection", "listConnections", "deleteConnection", "listItems", "updateItem", "syncItems", "createRun", "getRun",
            "getRunCredentials", "getUsage", "getHealth", "createAccount", "createApiKey", "revokeApiKey", "getOpenApiDocument",
            "revokeRun", "getRunAudit", "deleteAccount", "pushRunCode", "getRunCodes", "receiveMailgunEmail", "receiveTwilioSms", "setSmsNumber", "deleteSmsNumber",
        ];
        Assert.Equal(contract.Order(StringComparer.Ordinal), ids);

        var schemes = doc["components"]!["securitySchemes"]!.AsObject();
        Assert.Equal("X-API-Key", schemes["apiKey"]!["name"]!.GetValue<string>());
        Assert.Equal("X-Admin-Key", schemes["admin"]!["name"]!.GetValue<string>());
        Assert.Equal("bearer", schemes["runToken"]!["scheme"]!.GetValue<string>());
        Assert.Equal("runToken", Security(operations, "getRunCredentials"));
        Assert.Equal("admin", Security(operations, "createAccount"));
        Assert.Equal("apiKey", Security(operations, "listItems"));
        Assert.Empty(operations.Single(o => Id(o) == "getHealth").Operation["security"]!.AsArray());
    }

    [Fact]
    public async Task Every_operation_documents_the_errors_its_access_level_can_answer()
    {
        var doc = await ServedDocumentAsync();
        var errorCodes = doc["components"]!["schemas"]!["ErrorDetail"]!["properties"]!["code"]!["enum"]!.AsArray().Select(c => c!.GetValue<string>());
        Assert.Equal(ErrorCodes.All.Order(StringComparer.Ordinal), errorCodes.Order(StringComparer.Ordinal));

        foreach (var (path, method, operation) in Operations(doc))
        {
            var responses = operation["responses"]!.AsObject();
            Assert.Contains(ErrorCodes.InternalError, Codes(responses, "500"));
            if (Security(operation) == "apiKey")
            {
                Assert.Contains(ErrorCodes.RateLimitExceeded, Codes(responses, "429"));
                Assert.NotNull(responses["429"]!["headers"]!["Retry-After"]);
                Assert.Contains(ErrorCodes.MissingApiKey, Codes(responses, "401"));
                Assert.Contains(ErrorCodes.InvalidApiKey, Codes(responses, "401"));
                Assert.Contains(ErrorCodes.VaultUnavailable, Codes(responses, "503"));
            }

            if (operation["parameters"]?.AsArray().Any(p => p!["in"]!.GetValue<string>() == "query") == true || operation["requestBody"] is not null)
            {
                Assert.True(Codes(responses, "400").Contains(ErrorCodes.InvalidInput), $"{method} {path} reads input but has no 400 INVALID_INPUT");
            }
        }

        var connect = Operations(doc).Single(o => Id(o) == "createConnection").Operation["responses"]!.AsObject();
        Assert.Equal([ErrorCodes.InvalidInput, ErrorCodes.InvalidVaultToken, ErrorCodes.UnsupportedVaultEncryption, ErrorCodes.VaultTooLarge], Codes(connect, "400"));
        Assert.Equal([ErrorCodes.MaxConnections], Codes(connect, "409"));
    }

    [Fact]
    public async Task Schemas_say_what_the_wire_does_nullability_required_variants_and_enums()
    {
        var schemas = (await ServedDocumentAsync())["components"]!["schemas"]!.AsObject();

        var connection = schemas["Connection"]!;
        Assert.Equal(["string", "null"], Types(connection["properties"]!["lastSyncedAt"]!));
        Assert.Equal("date-time", connection["properties"]!["lastSyncedAt"]!["format"]!.GetValue<string>());
        Assert.Contains("lastSyncedAt", Strings(connection["required"]));
        Assert.Equal(["string"], Types(connection["properties"]!["connectionId"]!));
        Assert.Equal(["1password", "bitwarden", "keeper"], Strings(connection["properties"]!["provider"]!["enum"]));
        Assert.Equal(["active", "reconnect_required"], Strings(connection["properties"]!["status"]!["enum"]));
        Assert.Null(connection["properties"]!["items"]); // only on the connect answer

        Assert.Equal(["string", "null"], Types(schemas["Item"]!["properties"]!["username"]!));
        Assert.Equal("null", schemas["RunCredential"]!["properties"]!["totp"]!["anyOf"]![1]!["type"]!.GetValue<string>());

        // One run schema; the create answer adds the token and nothing else.
        Assert.Null(schemas["Run"]!["properties"]!["runToken"]);
        var created = schemas["RunCreated"]!["allOf"]!.AsArray();
        Assert.Equal("#/components/schemas/Run", created[0]!["$ref"]!.GetValue<string>());
        Assert.Equal(["runToken"], created[1]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal(["string"], Types(created[1]!["properties"]!["runToken"]!));
        Assert.Equal(["runToken"], Strings(created[1]!["required"]));

        // Left out rather than null: never written as null, so not nullable, and not required.
        var detail = schemas["ErrorDetail"]!;
        Assert.Equal(["array"], Types(detail["properties"]!["details"]!));
        Assert.DoesNotContain("details", Strings(detail["required"]));
    }

    [Fact]
    public async Task Served_document_is_the_one_the_lint_and_generators_read()
    {
        var response = await Host.SendAsync(HttpMethod.Get, "/v1/openapi.json", null);
        Assert.Equal(OpenApiSpec.Utf8, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Contract_check_refuses_undocumented_fields_statuses_and_codes()
    {
        var contract = OpenApiContract.For(await (await Host.SendAsync(HttpMethod.Get, "/v1/openapi.json", null)).Content.ReadAsByteArrayAsync());
        const string health = """{"status":"ok"}""";
        Assert.Null(contract.Check("GET", "/v1/health", 200, "application/json", health));
        Assert.NotNull(contract.Check("GET", "/v1/health", 200, "application/json", """{"status":"ok","extra":1}"""));
        Assert.NotNull(contract.Check("GET", "/v1/health", 201, "application/json", health));
        Assert.NotNull(contract.Check("GET", "/v1/health", 200, "text/plain", health));

        var notFound = """{"error":{"code":"NOT_FOUND","message":"The run was not found.","requestId":"req_1"}}""";
        Assert.Null(contract.Check("GET", "/v1/runs/run-1", 404, "application/json", notFound));
        Assert.NotNull(contract.Check("GET", "/v1/runs/run-1", 404, "application/json", notFound.Replace("NOT_FOUND", "NO_CONNECTIONS")));
        Assert.NotNull(contract.Check("GET", "/v1/runs/run-1", 409, "application/json", notFound));

        const string run = """{"runId":"run-1","status":"created","url":null,"credentials":[],"expiresAt":"2026-01-01T00:00:00Z","inbox":{"email":null,"sms":null}}""";
        Assert.Null(contract.Check("GET", "/v1/runs/run-1", 200, "application/json", run));
        Assert.NotNull(contract.Check("GET", "/v1/runs/run-1", 200, "application/json", run.Replace("\"url\":null,", "")));
        Assert.NotNull(contract.Check("GET", "/v1/runs/run-1", 200, "application/json", run[..^1] + ",\"runToken\":\"t\"}"));
        Assert.NotNull(contract.Check("POST", "/v1/runs", 201, "application/json", run));
        Assert.Null(contract.Check("POST", "/v1/runs", 201, "application/json", run[..^1] + ",\"runToken\":\"t\"}"));
        Assert.NotNull(contract.Check("GET", "/v1/runs/run-1", 200, "application/json", run.Replace("2026-01-01T00:00:00Z", "yesterday")));
    }

    private static IEnumerable<(string Path, string Method, JsonObject Operation)> Operations(JsonObject doc) =>
        doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    private static string Id((string Path, string Method, JsonObject Operation) o) => o.Operation["operationId"]!.GetValue<string>();

    private static string? Security(JsonObject operation) =>
        operation["security"]!.AsArray().SingleOrDefault()?.AsObject().Single().Key;

    private static string? Security(IEnumerable<(string Path, string Method, JsonObject Operation)> operations, string id) =>
        Security(operations.Single(o => Id(o) == id).Operation);

    private static List<string> Codes(JsonObject responses, string status) =>
        Strings(responses[status]?["x-error-codes"]);

    private static List<string> Types(JsonNode schema) =>
        schema["type"] is JsonArray types ? Strings(types) : [schema["type"]!.GetValue<string>()];

    private static List<string> Strings(JsonNode? array) =>
        array?.AsArray().Select(v => v!.GetValue<string>()).ToList() ?? [];

    private static IEnumerable<string> Refs(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => p.Key == "$ref" ? [p.Value!.GetValue<string>()] : Refs(p.Value)),
        JsonArray a => a.SelectMany(Refs),
        _ => [],
    };
}
