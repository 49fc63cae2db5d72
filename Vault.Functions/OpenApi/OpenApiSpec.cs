using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vault.Core.Errors;
using Vault.Functions.Http;

namespace Vault.Functions.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of the public API, built from the functions themselves: paths and methods from their trigger
/// attributes (<see cref="FunctionRoutes"/>), everything else about an operation from its <see cref="ApiOperationAttribute"/>
/// and companions, and the schemas exported from the serializer's own type metadata (<see cref="ApiSchemas"/>).
/// </summary>
public static partial class OpenApiSpec
{
    public const string Version = "1.1.0";

    private static readonly Lazy<byte[]> Document = new(() =>
        JsonSerializer.SerializeToUtf8Bytes(Build(), OpenApiJson.Default.JsonObject));

    /// <summary>The document as served at <c>GET /v1/openapi.json</c>.</summary>
    public static byte[] Utf8 => Document.Value;

    /// <summary>Security scheme names, as operations reference them.</summary>
    public const string ApiKeyScheme = "apiKey";
    public const string AdminScheme = "admin";
    public const string RunTokenScheme = "runToken";

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Connections", "Connect a password manager (1Password service account or Bitwarden API key), list and disconnect."),
        ("Items", "The cache of login items: list by site, enable or disable, sync from the providers."),
        ("Runs", "Agent runs granted chosen credentials, and the credential route their runtime calls with the run token."),
        ("Usage", "Billable calls per day and route."),
        ("Admin", "The operator's routes: accounts and their API keys."),
        ("Service", "Health and this document."),
    ];

    private static JsonObject Build()
    {
        var operations = FunctionRoutes.All
            .Select(route => (Route: route, Operation: route.Handler.GetCustomAttribute<ApiOperationAttribute>()))
            .Where(o => o.Operation is not null)
            .ToList();
        var schemas = new ApiSchemas();
        var roots = new List<Type> { typeof(ErrorBody) };
        foreach (var (route, operation) in operations)
        {
            roots.AddRange(route.Handler.GetCustomAttributes<ApiResponseAttribute>().Select(r => r.Body).OfType<Type>().Where(t => t != typeof(JsonObject)));
            if (operation!.RequestBody is { } body)
            {
                roots.Add(body);
            }
        }

        var components = schemas.Build(roots);
        var paths = new JsonObject();
        foreach (var (route, operation) in operations)
        {
            var path = "/" + route.Template;
            if (paths[path] is not JsonObject item)
            {
                item = new JsonObject();
                paths[path] = item;
            }

            item[route.Method.ToLowerInvariant()] = Operation(route, operation!, schemas);
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "Vault API",
                ["version"] = Version,
                ["summary"] = "Password-manager connections, a cache of login items, and credentials granted to agent runs.",
                ["description"] = "Connect a 1Password service account or a Bitwarden API key, read the cached login items by site, " +
                    "and start agent runs that may read exactly the credentials chosen for them. Errors share one body " +
                    "(`Error`); `INVALID_INPUT` names each problem in `details`. The guide is docs/api.md in the repository.",
                ["contact"] = new JsonObject { ["name"] = "Vault maintainers" },
                ["license"] = new JsonObject { ["name"] = "Proprietary", ["identifier"] = "LicenseRef-Proprietary" },
            },
            ["servers"] = new JsonArray(
                new JsonObject { ["url"] = "http://127.0.0.1:7071", ["description"] = "Standalone mode on this machine (./run)" },
                new JsonObject
                {
                    ["url"] = "https://{functionApp}.azurewebsites.net",
                    ["description"] = "A deployment on Azure Functions (azd up)",
                    ["variables"] = new JsonObject { ["functionApp"] = new JsonObject { ["default"] = "vault", ["description"] = "The Function App's name" } },
                }),
            ["tags"] = new JsonArray(Tags.Select(t => (JsonNode)new JsonObject { ["name"] = t.Name, ["description"] = t.Description }).ToArray()),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["securitySchemes"] = new JsonObject
                {
                    [ApiKeyScheme] = new JsonObject
                    {
                        ["type"] = "apiKey", ["in"] = "header", ["name"] = ApiGate.ApiKeyHeader,
                        ["description"] = "An account's API key, created by the operator (shown once).",
                    },
                    [AdminScheme] = new JsonObject
                    {
                        ["type"] = "apiKey", ["in"] = "header", ["name"] = ApiGate.AdminKeyHeader,
                        ["description"] = "The operator's key (`Vault__AdminKey`); without one configured the admin routes answer 404.",
                    },
                    [RunTokenScheme] = new JsonObject
                    {
                        ["type"] = "http", ["scheme"] = "bearer",
                        ["description"] = "A run's own token, returned once by createRun.",
                    },
                },
                ["schemas"] = components,
            },
        };
    }

    private static JsonObject Operation(FunctionRoute route, ApiOperationAttribute operation, ApiSchemas schemas)
    {
        var method = route.Handler;
        var queries = method.GetCustomAttributes<ApiQueryAttribute>().ToList();
        var result = new JsonObject
        {
            ["operationId"] = OperationId(route.Name),
            ["tags"] = new JsonArray(operation.Tag),
            ["summary"] = operation.Summary,
        };
        if (operation.Description is not null)
        {
            result["description"] = operation.Description;
        }

        result["security"] = operation.Access switch
        {
            Access.Public => new JsonArray(),
            Access.ApiKey => Security(ApiKeyScheme),
            Access.Admin => Security(AdminScheme),
            _ => Security(operation.SecurityScheme ?? throw new InvalidOperationException($"{route.Name}: custom access needs a security scheme.")),
        };

        var parameters = new JsonArray();
        foreach (Match match in PathParameter().Matches(route.Template))
        {
            parameters.Add(new JsonObject
            {
                ["name"] = match.Groups[1].Value, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = "string" },
            });
        }

        foreach (var query in queries)
        {
            parameters.Add(new JsonObject
            {
                ["name"] = query.Name, ["in"] = "query", ["required"] = false, ["description"] = query.Description, ["schema"] = QuerySchema(query),
            });
        }

        if (parameters.Count > 0)
        {
            result["parameters"] = parameters;
        }

        if (operation.RequestBody is { } body)
        {
            result["requestBody"] = new JsonObject
            {
                ["required"] = operation.RequestBodyRequired,
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schemas.RefTo(body) } },
            };
        }

        var responses = new JsonObject();
        foreach (var success in method.GetCustomAttributes<ApiResponseAttribute>().OrderBy(r => r.Status))
        {
            var response = new JsonObject { ["description"] = success.Description };
            if (success.ContentType is { } mediaType)
            {
                response["content"] = new JsonObject { [mediaType] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } };
            }
            else if (success.Body is { } type)
            {
                // JsonObject: a free-form document (this one), the only body not of an ApiJson type.
                var schema = type == typeof(JsonObject) ? new JsonObject { ["type"] = "object" } : schemas.RefTo(type, success.Variant);
                response["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = schema } };
            }

            responses[Status(success.Status)] = response;
        }

        foreach (var group in Errors(operation, method, queries.Count > 0).GroupBy(e => e.Status).OrderBy(g => g.Key))
        {
            var codes = group.DistinctBy(e => e.Code).ToList();
            var response = new JsonObject
            {
                ["description"] = string.Join("; ", codes.Select(e => $"`{e.Code}`: {e.When}")),
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = ApiSchemas.Ref("Error") } },
                ["x-error-codes"] = new JsonArray(codes.Select(e => (JsonNode)e.Code).ToArray()),
            };
            if (group.Key is 429 or 503)
            {
                response["headers"] = new JsonObject
                {
                    ["Retry-After"] = new JsonObject
                    {
                        ["description"] = "Seconds to wait before calling again" + (group.Key == 503 ? " (when the provider said so)." : "."),
                        ["schema"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
                    },
                };
            }

            responses[Status(group.Key)] = response;
        }

        result["responses"] = responses;
        return result;
    }

    /// <summary>The function's own errors, and those every function of its kind answers (written here once).</summary>
    private static IEnumerable<(int Status, string Code, string When)> Errors(ApiOperationAttribute operation, MethodInfo method, bool hasQuery)
    {
        if (operation.RequestBody is not null || hasQuery)
        {
            yield return (400, ErrorCodes.InvalidInput, "a malformed body, or a missing or ill-formed field or query parameter (`details` names each)");
        }

        foreach (var error in method.GetCustomAttributes<ApiErrorAttribute>())
        {
            yield return (error.Status, error.Code, error.When);
        }

        switch (operation.Access)
        {
            case Access.ApiKey:
                yield return (401, ErrorCodes.MissingApiKey, "no `X-API-Key` header");
                yield return (401, ErrorCodes.InvalidApiKey, "unknown or revoked API key");
                yield return (429, ErrorCodes.RateLimitExceeded,
                    "the account's calls per minute are used up, or this client address failed to authenticate too often; see `Retry-After`");
                yield return (503, ErrorCodes.VaultUnavailable, "a backing service (storage, Key Vault) failed or timed out");
                break;
            case Access.Admin:
                yield return (401, ErrorCodes.Unauthorized, "missing or wrong `X-Admin-Key`");
                yield return (404, ErrorCodes.NotFound, "no admin key is configured (the admin routes are off)");
                yield return (429, ErrorCodes.RateLimitExceeded, "this client address failed to authenticate too often; see `Retry-After`");
                yield return (503, ErrorCodes.VaultUnavailable, "a backing service (storage, Key Vault) failed or timed out");
                break;
            case Access.Custom:
                yield return (429, ErrorCodes.RateLimitExceeded,
                    "the calls per minute of the account the caller acts for are used up, or this client address failed to authenticate too often; see `Retry-After`");
                yield return (503, ErrorCodes.VaultUnavailable, "a backing service (storage, Key Vault) failed or timed out");
                break;
        }

        yield return (500, ErrorCodes.InternalError, "never expected: a bug");
    }

    private static JsonObject QuerySchema(ApiQueryAttribute query)
    {
        var schema = new JsonObject();
        switch (query.Type)
        {
            case QueryType.Boolean:
                schema["type"] = "boolean";
                break;
            case QueryType.Integer:
                schema["type"] = "integer";
                schema["minimum"] = query.Minimum;
                schema["maximum"] = query.Maximum;
                schema["default"] = query.Default;
                break;
            case QueryType.Date:
                schema["type"] = "string";
                schema["format"] = "date";
                break;
            default:
                schema["type"] = "string";
                schema["minLength"] = 1;
                break;
        }

        return schema;
    }

    private static JsonArray Security(string scheme) => new(new JsonObject { [scheme] = new JsonArray() });

    private static string Status(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Operation ids are the functions' names in camelCase (createConnection, getRunCredentials, ...).</summary>
    public static string OperationId(string functionName) => char.ToLowerInvariant(functionName[0]) + functionName[1..];

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)\}")]
    private static partial Regex PathParameter();
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(WriteIndented = true)]
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class OpenApiJson : System.Text.Json.Serialization.JsonSerializerContext;
