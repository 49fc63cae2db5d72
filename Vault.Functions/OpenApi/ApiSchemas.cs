using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Vault.Functions.Http;

namespace Vault.Functions.OpenApi;

/// <summary>
/// The document's component schemas, exported by System.Text.Json's <see cref="JsonSchemaExporter"/> from the very type
/// metadata (<see cref="ApiJson"/>) the functions serialize with, so a schema cannot say other than the wire does:
/// nullable annotations give <c>["T", "null"]</c>, every property a response always writes is required, and
/// <see cref="SchemaEnumAttribute"/>, <see cref="SchemaVariantAttribute"/>, <see cref="DescriptionAttribute"/> and
/// <see cref="RequiredAttribute"/> (requests) add what a CLR type cannot say. Every object type of the API becomes one
/// named component, referenced wherever it is nested.
/// </summary>
internal sealed class ApiSchemas
{
    private const string RefPrefix = "#/components/schemas/";

    private readonly JsonSerializerOptions _options;
    private readonly Dictionary<Type, string> _names = new();
    private readonly Dictionary<string, (string Base, JsonObject Properties)> _variants = new(StringComparer.Ordinal);

    public ApiSchemas()
    {
        // The same resolver and naming as the wire; nullable annotations are honoured for the schema only.
        _options = new JsonSerializerOptions(ApiJson.Default.Options) { RespectNullableAnnotations = true };
        _options.MakeReadOnly();
    }

    /// <summary>The component schemas of every type reachable from <paramref name="roots"/>, by name.</summary>
    public JsonObject Build(IEnumerable<Type> roots)
    {
        var pending = new Queue<Type>(roots.Distinct());
        var ordered = new List<Type>();
        while (pending.TryDequeue(out var type))
        {
            if (_names.ContainsKey(type))
            {
                continue;
            }

            _names[type] = NameOf(type);
            ordered.Add(type);
            foreach (var nested in NestedObjectTypes(_options.GetTypeInfo(type)))
            {
                pending.Enqueue(nested);
            }
        }

        var schemas = new JsonObject();
        foreach (var type in ordered.OrderBy(t => _names[t], StringComparer.Ordinal))
        {
            var exporter = new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true, TransformSchemaNode = Transform };
            schemas[_names[type]] = _options.GetTypeInfo(type).GetJsonSchemaAsNode(exporter);
        }

        foreach (var (variant, (baseName, properties)) in _variants.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            schemas[variant] = new JsonObject
            {
                ["allOf"] = new JsonArray(
                    Ref(baseName),
                    new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = properties,
                        ["required"] = new JsonArray(properties.Select(p => (JsonNode)p.Key).ToArray()),
                    }),
            };
        }

        return schemas;
    }

    /// <summary>A reference to the component of <paramref name="type"/>, or to one of its variants.</summary>
    public JsonObject RefTo(Type type, string? variant = null)
    {
        var name = _names.TryGetValue(type, out var n) ? n : throw new InvalidOperationException($"{type.Name} is not a component.");
        if (variant is not null && !_variants.ContainsKey(variant))
        {
            throw new InvalidOperationException($"{type.Name} has no variant {variant}.");
        }

        return Ref(variant ?? name);
    }

    public static JsonObject Ref(string component) => new() { ["$ref"] = RefPrefix + component };

    /// <summary><c>ConnectionBody</c> is published as <c>Connection</c>; requests keep their name.</summary>
    private static string NameOf(Type type) =>
        type.Name.EndsWith("Body", StringComparison.Ordinal) ? type.Name[..^"Body".Length] : type.Name;

    private static bool IsComponent(JsonTypeInfo info) =>
        info.Kind == JsonTypeInfoKind.Object && info.Type.Namespace == typeof(ApiJson).Namespace;

    private static bool IsRequest(Type type) => type.Name.EndsWith("Request", StringComparison.Ordinal);

    private IEnumerable<Type> NestedObjectTypes(JsonTypeInfo info)
    {
        foreach (var property in info.Properties)
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var element = _options.GetTypeInfo(type) is { Kind: JsonTypeInfoKind.Enumerable } list ? list.ElementType! : type;
            var elementInfo = _options.GetTypeInfo(element);
            if (IsComponent(elementInfo))
            {
                yield return element;
            }
        }
    }

    private JsonNode Transform(JsonSchemaExporterContext context, JsonNode schema)
    {
        var attributes = context.PropertyInfo?.AttributeProvider;
        if (context.TypeInfo.Type == typeof(JsonArray))
        {
            // The only free-form array of the API: an INVALID_INPUT detail's JSON path of names and indexes.
            schema = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = new JsonArray("string", "integer") } };
        }
        else if (IsComponent(context.TypeInfo) && context.Path.Length > 0)
        {
            var reference = Ref(_names[context.TypeInfo.Type]);
            schema = IsNullable(schema) ? new JsonObject { ["anyOf"] = new JsonArray(reference, new JsonObject { ["type"] = "null" }) } : reference;
        }
        else if (IsComponent(context.TypeInfo) && schema is JsonObject root)
        {
            ShapeObject(context.TypeInfo, root);
        }

        if (schema is JsonObject node && attributes is not null)
        {
            if (Attribute<DescriptionAttribute>(attributes) is { } description)
            {
                node["description"] = description.Description;
            }

            if (Attribute<SchemaEnumAttribute>(attributes) is { } values)
            {
                var allowed = values.Values.Select(v => (JsonNode?)v).ToList();
                if (IsNullable(node))
                {
                    allowed.Add(null);
                }

                node["enum"] = new JsonArray(allowed.ToArray());
            }

            if (Attribute<DataTypeAttribute>(attributes) is { DataType: DataType.Date })
            {
                node["format"] = "date";
            }
        }

        return schema;
    }

    /// <summary>Required properties, variant-only properties moved out, and the type's own description.</summary>
    private void ShapeObject(JsonTypeInfo info, JsonObject schema)
    {
        var properties = schema["properties"]?.AsObject() ?? new JsonObject();
        var required = new JsonArray();
        foreach (var property in info.Properties)
        {
            var attributes = property.AttributeProvider;
            var alwaysWritten = attributes is null || Attribute<JsonIgnoreAttribute>(attributes) is null or { Condition: JsonIgnoreCondition.Never };
            if (!alwaysWritten && properties[property.Name] is JsonObject optional)
            {
                // Left out when null, so never written as null.
                WithoutNull(optional);
            }

            if (attributes is not null && Attribute<SchemaVariantAttribute>(attributes) is { } variant)
            {
                var moved = properties[property.Name]!.DeepClone();
                properties.Remove(property.Name);
                if (!_variants.TryGetValue(variant.Variant, out var entry))
                {
                    entry = (_names[info.Type], new JsonObject());
                    _variants[variant.Variant] = entry;
                }

                entry.Properties[property.Name] = moved;
                continue;
            }

            // A response always writes a property unless it is ignored when null; a request field is required only
            // when the model says so (the service, not the serializer, reports what is missing).
            if (IsRequest(info.Type) ? attributes is not null && Attribute<RequiredAttribute>(attributes) is not null : alwaysWritten)
            {
                required.Add(property.Name);
            }
        }

        schema.Remove("required");
        if (required.Count > 0)
        {
            schema["required"] = required;
        }

        if (info.Type.GetCustomAttribute<DescriptionAttribute>() is { } description)
        {
            schema["description"] = description.Description;
        }
    }

    private static void WithoutNull(JsonObject schema)
    {
        if (schema["type"] is JsonArray types && IsNullable(schema))
        {
            var rest = types.Select(t => t!.GetValue<string>()).Where(t => t != "null").ToList();
            schema["type"] = rest.Count == 1 ? rest[0] : new JsonArray(rest.Select(t => (JsonNode)t).ToArray());
        }
        else if (schema["anyOf"] is JsonArray choices && choices.Count == 2 && choices[1]?["type"]?.GetValue<string>() == "null")
        {
            var only = choices[0]!.DeepClone().AsObject();
            schema.Remove("anyOf");
            foreach (var (key, value) in only.ToList())
            {
                only.Remove(key);
                schema[key] = value;
            }
        }
    }

    private static bool IsNullable(JsonNode schema) =>
        schema["type"] is JsonArray types && types.Any(t => t?.GetValue<string>() == "null");

    private static T? Attribute<T>(ICustomAttributeProvider provider)
        where T : Attribute =>
        provider.GetCustomAttributes(typeof(T), inherit: true).OfType<T>().FirstOrDefault();
}
