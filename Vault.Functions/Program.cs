using Microsoft.Extensions.Hosting;
using Vault.Functions.Hosting;

if (args is ["--write-openapi", var documentPath])
{
    // The served document, for tools that read a file (scripts/lint-openapi.sh, the SDK generator): no host, no storage.
    File.WriteAllBytes(documentPath, Vault.Functions.OpenApi.OpenApiSpec.Utf8);
    return;
}

if (FunctionsHostDetection.LaunchedByFunctionsHost(args))
{
    // Under `func start` or in Azure: an ordinary isolated worker with ASP.NET Core integration.
    var host = new HostBuilder()
        .ConfigureFunctionsWebApplication()
        .ConfigureServices((context, services) =>
        {
            Vault.Core.ServiceCollectionExtensions.ValidateSecretStoreSettings(context.Configuration);
            services.AddVaultApp(context.Configuration);
        })
        .Build();
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
