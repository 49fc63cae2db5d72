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
        // Under `func start` or in Azure: an ordinary isolated worker with ASP.NET Core integration. No Application
        // Insights package: the worker's logs go to the host over gRPC and the host sends the telemetry, so its sampling
        // and levels are host.json's and the Bicep's app settings (docs/capacity.md, "Logs: sampling, levels and the
        // daily cap").
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
