using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Vault.Functions.Http;

/// <summary>One HTTP function: its name, method and route as its trigger attribute declares them.</summary>
public sealed record FunctionRoute(string Name, string Method, string Template, MethodInfo Handler)
{
    /// <summary>The route as billed and documented, e.g. <c>GET /v1/vault/items</c>.</summary>
    public string Key => $"{Method} /{Template}";

    /// <summary>What the OpenAPI document says of it; null for a function outside the JSON API.</summary>
    public OpenApi.ApiOperationAttribute? Operation { get; } = Handler.GetCustomAttribute<OpenApi.ApiOperationAttribute>();
}

/// <summary>
/// The single route table: read from the functions' own <see cref="FunctionAttribute"/> and <see cref="HttpTriggerAttribute"/>,
/// used by standalone mode to map endpoints, by metering to name routes and by the OpenAPI test.
/// </summary>
public static class FunctionRoutes
{
    private static readonly Lazy<IReadOnlyList<FunctionRoute>> AllRoutes = new(Discover);
    // A function with several methods has a route per method; any of them names it.
    private static readonly Lazy<Dictionary<string, FunctionRoute>> ByName =
        new(() => AllRoutes.Value.GroupBy(r => r.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal));

    public static IReadOnlyList<FunctionRoute> All => AllRoutes.Value;

    public static FunctionRoute ByFunctionName(string name) =>
        ByName.Value.TryGetValue(name, out var route) ? route : throw new InvalidOperationException($"No HTTP function named {name}.");

    private static IReadOnlyList<FunctionRoute> Discover()
    {
        var routes = new List<FunctionRoute>();
        foreach (var type in typeof(FunctionRoutes).Assembly.GetTypes())
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            {
                var function = method.GetCustomAttribute<FunctionAttribute>();
                var trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null);
                if (function is null || trigger is null)
                {
                    continue;
                }

                if (function.Name != method.Name)
                {
                    throw new InvalidOperationException($"Function {function.Name} must be declared by a method of the same name.");
                }

                foreach (var verb in trigger.Methods ?? ["get"])
                {
                    // A template never needs a leading slash (the host and ASP.NET Core read both alike).
                    routes.Add(new FunctionRoute(function.Name, verb.ToUpperInvariant(), (trigger.Route ?? function.Name).TrimStart('/'), method));
                }
            }
        }

        return routes.OrderBy(r => r.Template, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal).ToList();
    }
}
