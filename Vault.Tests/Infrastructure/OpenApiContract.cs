using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Vault.Functions.Http;

namespace Vault.Tests.Infrastructure;

/// <summary>
/// Judges an HTTP answer by the served OpenAPI document: the request's path template and method pick the operation, the
/// status must be one it documents, and the body must validate against that response's schema in a strict view of the
/// document (every object closed with <c>additionalProperties: false</c>, <c>allOf</c> merged first), so an undocumented
/// status, field or error code is a violation. Requests to a route outside the document must be the contract's 404.
/// </summary>
public sealed partial class OpenApiContract
{
    private static readonly ConcurrentDictionary<string, OpenApiContract> ByDocument = new(StringComparer.Ordinal);

    private readonly List<Operation> _operations = [];
    private readonly List<Regex> _undocumentedRoutes;
    private readonly JsonObject _definitions;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);

    private OpenApiContract(JsonObject document)
    {
        _definitions = StrictDefinitions(document["components"]!["schemas"]!.AsObject());
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                _operations.Add(new Operation(path, method.ToUpperInvariant(), TemplatePattern(path), operation!["responses"]!.AsObject()));
            }
        }

        // Functions outside the JSON API (the HTML reference) are judged by their own tests.
        // The catch-all for unknown API paths is not one of them: what it answers is the contract's 404 below.
        _undocumentedRoutes = FunctionRoutes.All.Where(r => r.Operation is null && r.Template != Vault.Functions.Functions.NotFoundFunctions.Template)
            .Select(r => TemplatePattern("/" + r.Template)).ToList();
    }

    /// <summary>One contract per distinct document, shared by every host that serves it.</summary>
    public static OpenApiContract For(byte[] document) =>
        ByDocument.GetOrAdd(Convert.ToHexString(SHA256.HashData(document)), _ => new OpenApiContract(JsonNode.Parse(document)!.AsObject()));

    /// <summary>Null when the answer is what the document says; otherwise what is wrong.</summary>
    /// <param name="unknownRoutesAnsweredByHost">
    /// Under the Functions host a path outside <c>/v1/</c> that no function declares never reaches the app.
    /// </param>
    public string? Check(string method, string path, int status, string? mediaType, string body, bool unknownRoutesAnsweredByHost = false)
    {
        var candidates = _operations.Where(o => o.Pattern.IsMatch(path)).ToList();
        var operation = candidates.Where(o => o.Method == method).OrderBy(o => o.Template.Count(c => c == '{')).FirstOrDefault();
        if (operation is null)
        {
            if (_undocumentedRoutes.Any(r => r.IsMatch(path)) || (unknownRoutesAnsweredByHost && candidates.Count == 0 && !path.StartsWith("/v1/", StringComparison.Ordinal)))
            {
                return null;
            }

            // An unknown route (or method) is the contract's 404 NOT_FOUND.
            return status == 404
                ? Validate($"{method} {path} (no such route)", Ref("Error"), body, mediaType, ["NOT_FOUND"])
                : $"{method} {path}: no such operation in the document, yet answered {status}";
        }

        var name = $"{method} {operation.Template} {status}";
        if (operation.Responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject response)
        {
            return $"{name}: status {status} is not documented for this operation (body: {Truncate(body)})";
        }

        if (response["content"] is JsonObject content && content.Count == 1 && content.First().Key != "application/json")
        {
            // A documented non-JSON body (Twilio's TwiML): the media type must be the documented one.
            return mediaType == content.First().Key ? null : $"{name}: content type {mediaType ?? "(none)"}, documented {content.First().Key}";
        }

        if (response["content"]?["application/json"]?["schema"] is not JsonObject schema)
        {
            return body.Length == 0 ? null : $"{name}: documented without a body, but answered {Truncate(body)}";
        }

        var codes = response["x-error-codes"]?.AsArray().Select(c => c!.GetValue<string>()).ToList();
        return Validate(name, schema, body, mediaType, codes);
    }

    private string? Validate(string name, JsonObject schema, string body, string? mediaType, IReadOnlyList<string>? errorCodes)
    {
        if (mediaType != "application/json")
        {
            return $"{name}: content type {mediaType ?? "(none)"}, documented application/json";
        }

        JsonDocument instance;
        try
        {
            instance = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            return $"{name}: the body is not JSON: {Truncate(body)}";
        }

        using (instance)
        {
            var compiled = _schemas.GetOrAdd(schema.ToJsonString(), _ => Compile(schema));
            var result = compiled.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            if (!result.IsValid)
            {
                var problems = (result.Details ?? [])
                    .Where(d => d.Errors is { Count: > 0 })
                    .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
                    .Distinct()
                    .Take(8);
                return $"{name}: the body does not match the document ({string.Join("; ", problems)}): {Truncate(body)}";
            }

            if (errorCodes is not null && instance.RootElement.TryGetProperty("error", out var error) &&
                error.GetProperty("code").GetString() is { } code && !errorCodes.Contains(code))
            {
                return $"{name}: error code {code} is not documented for this status (documented: {string.Join(", ", errorCodes)})";
            }
        }

        return null;
    }

    private JsonSchema Compile(JsonObject schema)
    {
        var root = schema.DeepClone().AsObject();
        Rewrite(root);
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = _definitions.DeepClone();
        return JsonSchema.FromText(root.ToJsonString(), baseUri: new Uri($"https://contract.vault.test/{Guid.NewGuid():N}"));
    }

    /// <summary>Components as <c>$defs</c>: <c>allOf</c> merged into one object, and every object closed.</summary>
    private static JsonObject StrictDefinitions(JsonObject components)
    {
        var definitions = new JsonObject();
        foreach (var (name, schema) in components)
        {
            definitions[name] = Merge(schema!.AsObject(), components);
        }

        Rewrite(definitions);
        return definitions;
    }

    private static JsonObject Merge(JsonObject schema, JsonObject components)
    {
        if (schema["allOf"] is not JsonArray parts)
        {
            return schema.DeepClone().AsObject();
        }

        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var part in parts)
        {
            var resolved = part!["$ref"] is { } reference
                ? Merge(components[reference.GetValue<string>().Split('/').Last()]!.AsObject(), components)
                : part.AsObject();
            foreach (var (key, value) in resolved["properties"]?.AsObject() ?? [])
            {
                properties[key] = value!.DeepClone();
            }

            foreach (var name in resolved["required"]?.AsArray() ?? [])
            {
                required.Add(name!.GetValue<string>());
            }
        }

        return new JsonObject { ["type"] = "object", ["properties"] = properties, ["required"] = required };
    }

    /// <summary>References into <c>$defs</c>; objects with properties closed to others.</summary>
    private static void Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$ref"] is JsonValue reference && reference.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                {
                    o["$ref"] = "#/$defs/" + reference.GetValue<string>().Split('/').Last();
                }

                if (o.ContainsKey("properties") && !o.ContainsKey("additionalProperties"))
                {
                    o["additionalProperties"] = false;
                }

                foreach (var (key, child) in o.ToList())
                {
                    // Property names are data, not schemas, except under "properties" where each value is a schema.
                    if (key == "properties" && child is JsonObject props)
                    {
                        foreach (var (_, propertySchema) in props)
                        {
                            Rewrite(propertySchema);
                        }
                    }
                    else if (key is not ("enum" or "required"))
                    {
                        Rewrite(child);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Rewrite(item);
                }

                break;
        }
    }

    private static JsonObject Ref(string component) => new() { ["$ref"] = "#/components/schemas/" + component };

    private static Regex TemplatePattern(string template) =>
        new("^" + string.Concat(template.Split('/').Select((segment, i) => (i == 0 ? "" : "/") + SegmentPattern(segment))) + "$",
            RegexOptions.CultureInvariant);

    // {name} is one segment; a catch-all {*name} is the rest of the path; {name:maxlength(0)?} (the site root) is empty.
    private static string SegmentPattern(string segment) =>
        segment.StartsWith("{*", StringComparison.Ordinal) ? ".+" :
        segment.EndsWith(":maxlength(0)?}", StringComparison.Ordinal) ? "" : PathParameter().Replace(Regex.Escape(segment).Replace(@"\{", "{", StringComparison.Ordinal), "[^/]+");

    private static string Truncate(string body) => body.Length > 600 ? body[..600] + "…" : body;

    [GeneratedRegex(@"\{[A-Za-z0-9_]+\}")]
    private static partial Regex PathParameter();

    private sealed record Operation(string Template, string Method, Regex Pattern, JsonObject Responses);
}

/// <summary>An answer of the service that its own OpenAPI document does not describe.</summary>
public sealed class OpenApiContractException(string message) : Exception(message);

/// <summary>Checks every answer that passes through it against the contract and fails the call when it does not match.</summary>
public sealed class ContractCheckingHandler(Func<OpenApiContract> contract, bool unknownRoutesAnsweredByHost = false)
    : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly ConcurrentQueue<string> _violations = new();

    /// <summary>Every violation seen, also those a test swallowed.</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var violation = contract().Check(request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode,
            response.Content.Headers.ContentType?.MediaType, body, unknownRoutesAnsweredByHost);
        if (violation is not null)
        {
            _violations.Enqueue(violation);
            response.Dispose();
            throw new OpenApiContractException(violation);
        }

        return response;
    }
}
