namespace Vault.Functions.Hosting;

/// <summary>Tells whether the Azure Functions host launched this worker (it passes its gRPC endpoint) or we run standalone.</summary>
public static class FunctionsHostDetection
{
    public static bool LaunchedByFunctionsHost(string[] args) =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Functions__Worker__HostEndpoint")) ||
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("FUNCTIONS_WORKER_ID")) ||
        args.Any(a => a is "--functions-uri" or "--functions-worker-id" or "--workerId" or "--host-endpoint");
}
