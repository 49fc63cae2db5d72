using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vault.Functions.Hosting;

if (args is ["--write-openapi", var documentPath])
{
    // The served document, for tools that read a file (scripts/lint-openapi.sh, the SDK generator): no host, no storage.
    File.WriteAllBytes(documentPath, Vault.Functions.OpenApi.OpenApiSpec.Utf8);
    return;
}

try
{
    if (FunctionsHostDetection.LaunchedByFunctionsHost(args))
    {
        // Under `func start` or in Azure: an ordinary isolated worker with ASP.NET Core integration.
        var builder = FunctionsApplication.CreateBuilder(args);
        builder.ConfigureFunctionsWebApplication();
        builder.Services.AddVaultApp(builder.Configuration);
        await builder.Build().RunAsync();
    }
    else
    {
        await StandaloneHost.Build(args).RunAsync();
    }
}
catch (OptionsValidationException ex)
{
    // Settings are validated as the host starts. The Functions host logs the worker's standard error; exiting keeps
    // it from serving requests with a half-set-up app.
    Console.Error.WriteLine(StartupErrors.Describe(ex));
    Environment.Exit(1);
}
catch (InvalidOperationException ex) when (ex.Source?.StartsWith("Vault", StringComparison.Ordinal) == true)
{
    // Our own set-up errors (e.g. no storage configured) are messages for the operator, not stack traces.
    Console.Error.WriteLine($"Vault cannot start: {ex.Message}");
    Environment.Exit(1);
}
