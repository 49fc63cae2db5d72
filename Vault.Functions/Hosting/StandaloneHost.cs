using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Vault.Core.Errors;
using Vault.Functions.Http;

namespace Vault.Functions.Hosting;

/// <summary>
/// Standalone mode: the same HTTP functions served by Kestrel, with routes and methods taken from their trigger
/// attributes (<see cref="FunctionRoutes"/>), so there is one route table. Used by <c>./run</c> and the tests.
/// </summary>
public static class StandaloneHost
{
    public const string DefaultUrl = "http://127.0.0.1:7071";

    private static readonly Dictionary<string, string?> QuietLogLevels = new()
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Azure.Core"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

        // host.json's log levels, as the lowest-priority source: the Azure SDK's per-request logs (every queue poll)
        // stay quiet unless a setting asks for them.
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = QuietLogLevels });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Services.AddVaultApp(builder.Configuration);
        foreach (var type in FunctionRoutes.All.Select(r => r.Handler.DeclaringType!).Distinct())
        {
            builder.Services.AddScoped(type);
        }

        builder.Services.AddScoped<Functions.ResyncFunctions>();
        builder.Services.AddSingleton<StandaloneResync>();
        if (builder.Configuration.GetValue("Vault:Resync:RunInStandalone", true))
        {
            builder.Services.AddHostedService(sp => sp.GetRequiredService<StandaloneResync>());
        }
        builder.Services.AddHostedService<SmtpListener>(); // idle unless Vault:Codes:SmtpPort is set
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        foreach (var route in FunctionRoutes.All)
        {
            app.MapMethods("/" + route.Template, [route.Method], context => InvokeAsync(context, route));
        }

        // Every unknown path, file-like ones (/index.html) included, gets the API's 404 body.
        app.MapFallback("{*path}", context => WriteNotFoundAsync(context));
        return app;
    }

    private static async Task InvokeAsync(HttpContext context, FunctionRoute route)
    {
        var target = context.RequestServices.GetRequiredService(route.Handler.DeclaringType!);
        var parameters = route.Handler.GetParameters();
        var arguments = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            arguments[i] = parameters[i].ParameterType switch
            {
                var t when t == typeof(HttpRequest) => context.Request,
                var t when t == typeof(CancellationToken) => context.RequestAborted,
                var t when t == typeof(string) => context.GetRouteValue(parameters[i].Name!)?.ToString(),
                _ => throw new InvalidOperationException($"Standalone mode cannot bind parameter {parameters[i].Name} of {route.Name}."),
            };
        }

        IActionResult result;
        try
        {
            result = await ((Task<IActionResult>)route.Handler.Invoke(target, arguments)!).ConfigureAwait(false);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw ex.InnerException;
        }

        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor())).ConfigureAwait(false);
    }

    private static Task WriteNotFoundAsync(HttpContext context)
    {
        var call = new ApiCall(context.Request, "req_" + Vault.Core.Common.Ids.RandomBase32(10), "unknown");
        return ApiGate.Error(call, ApiErrors.NotFound("route")).ExecuteResultAsync(new ActionContext(context, new RouteData(), new ActionDescriptor()));
    }
}
