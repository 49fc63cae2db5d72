using Vault.Functions.Http;

namespace Vault.Functions.OpenApi;

// The one declarative place per HTTP function that the OpenAPI document reads (OpenApiDocumentBuilder): what the
// operation does, who may call it, its body and query, and every status it can answer. The errors that follow from
// the access level (authentication, rate limit, backing-service failure, INTERNAL_ERROR) and from reading input
// (INVALID_INPUT) are added by the builder, so they are written once for all functions.

/// <summary>An operation of the public API; its id is the function's name in camelCase.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ApiOperationAttribute(string tag, string summary, Access access) : Attribute
{
    public string Tag { get; } = tag;
    public string Summary { get; } = summary;

    /// <summary>Also what <see cref="ApiGate"/> enforces: the gate refuses a function whose call passes another level.</summary>
    public Access Access { get; } = access;

    public string? Description { get; init; }

    /// <summary>The JSON request body's type (one of <see cref="ApiJson"/>'s); null when the operation takes none.</summary>
    public Type? RequestBody { get; init; }

    /// <summary>False when an empty body is accepted (e.g. sync of every connection).</summary>
    public bool RequestBodyRequired { get; init; } = true;

    /// <summary>For <see cref="Access.Custom"/>: the security scheme the handler checks itself.</summary>
    public string? SecurityScheme { get; init; }
}

/// <summary>A success answer: its status, body type (null for no body) and, for a type with variant-only properties, the variant.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiResponseAttribute(int status, Type? body, string description) : Attribute
{
    public int Status { get; } = status;
    public Type? Body { get; } = body;
    public string Description { get; } = description;

    /// <summary>A media type other than JSON (the body is then a string), e.g. <c>text/xml</c> for Twilio's TwiML.</summary>
    public string? ContentType { get; init; }

    /// <summary>The schema variant (see <see cref="SchemaVariantAttribute"/>) this answer has, e.g. <c>RunCreated</c>.</summary>
    public string? Variant { get; init; }
}

/// <summary>An error this operation answers besides those every operation of its access level answers.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiErrorAttribute(int status, string code, string when) : Attribute
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string When { get; } = when;
}

/// <summary>Type of a query parameter.</summary>
public enum QueryType
{
    String,
    Boolean,
    Integer,
    Date,
}

/// <summary>An optional query parameter; a wrong value is 400 INVALID_INPUT.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class ApiQueryAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public QueryType Type { get; init; } = QueryType.String;

    /// <summary>Bounds and default of an integer parameter (0 when unused).</summary>
    public int Minimum { get; init; }
    public int Maximum { get; init; }
    public int Default { get; init; }
}

/// <summary>An HTTP function that is not part of the JSON API (e.g. the HTML reference) and so not in the document.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class NotInApiDocumentAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

/// <summary>
/// A response property that only one variant of the type carries (e.g. <c>runToken</c> only on the create answer). The
/// base schema leaves it out; the variant is <c>allOf</c> the base schema and these properties, all required.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SchemaVariantAttribute(string variant) : Attribute
{
    public string Variant { get; } = variant;
}

/// <summary>The string property takes exactly the values of the public string constants of <paramref name="constants"/>.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class SchemaEnumAttribute(Type constants) : Attribute
{
    public IReadOnlyList<string> Values { get; } = constants
        .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToList();
}
