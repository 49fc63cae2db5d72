using Microsoft.Extensions.Hosting;
using Vault.Functions.Hosting;

if (args is ["--write-openapi", var openApiPath])
{
    // scripts/generate-sdks.sh: the served OpenAPI document, written without starting a host or touching storage.
    await File.WriteAllBytesAsync(openApiPath, Vault.Functions.OpenApi.OpenApiSpec.Utf8);
}
else if (FunctionsHostDetection.LaunchedByFunctionsHost(args))
{
    // Under `func start` or in Azure: an ordinary isolated worker with ASP.NET Core integration.
    IHost host;
    try
    {
        host = new HostBuilder()
            .ConfigureFunctionsWebApplication()
            .ConfigureServices((context, services) =>
            {
                RequiredSettings.Validate(context.Configuration);
                services.AddVaultApp(context.Configuration);
            })
            .Build();
    }
    catch (InvalidOperationException ex)
    {
        // The host logs the worker's standard error; exiting keeps it from serving requests with a half-set-up app.
        Console.Error.WriteLine($"Vault cannot start: {ex.Message}");
        Environment.Exit(1);
        return;
    }

    await host.RunAsync();
}
else
{
    WebApplicationRunner.Run(args);
}

internal static class WebApplicationRunner
{
    public static void Run(string[] args)
    {
        Microsoft.AspNetCore.Builder.WebApplication app;
        try
        {
            app = StandaloneHost.Build(args);
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine($"Vault cannot start: {ex.Message}");
            Environment.Exit(1);
            return;
        }

        app.Run();
    }
}
