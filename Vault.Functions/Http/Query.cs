using System.Globalization;
using Microsoft.AspNetCore.Http;
using Vault.Core.Domains;
using Vault.Core.Errors;

namespace Vault.Functions.Http;

/// <summary>Query-string parameters with the contract's validation messages.</summary>
internal static class Query
{
    public static string? Optional(HttpRequest req, string name)
    {
        if (!req.Query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (values.Count != 1 || string.IsNullOrWhiteSpace(values[0]) || values[0]!.Length > 2048)
        {
            throw new InvalidRequestException(name, "must be given once, non-empty.");
        }

        return values[0]!.Trim();
    }

    /// <summary>A site given as a host or URL, checked and parsed here: it must have a registrable domain (Public Suffix List).</summary>
    public static SiteQuery? Site(HttpRequest req, string name) => Optional(req, name) switch
    {
        null => null,
        var v => SiteQuery.TryParse(v) ?? throw new InvalidRequestException(name, "must be a host name or an http(s) URL."),
    };

    public static bool? OptionalBool(HttpRequest req, string name) => Optional(req, name) switch
    {
        null => null,
        var v when v.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
        var v when v.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
        _ => throw new InvalidRequestException(name, "must be true or false."),
    };

    public static int? OptionalInt(HttpRequest req, string name, int min, int max) => Optional(req, name) switch
    {
        null => null,
        var v when int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max => n,
        _ => throw new InvalidRequestException(name, $"must be an integer from {min} to {max}.", InputProblemKind.OutOfRange),
    };

    public static DateOnly? OptionalDate(HttpRequest req, string name) => Optional(req, name) switch
    {
        null => null,
        var v when DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        _ => throw new InvalidRequestException(name, "must be a date YYYY-MM-DD."),
    };
}
