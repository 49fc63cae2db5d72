using Vault.Benchmarks;

// Plain console benchmarks (figures, not assertions): dotnet run -c Release --project Vault.Benchmarks -- <name>
// Storage: AzureWebJobsStorage (scripts/bench.sh starts an in-memory Azurite and sets it).
// --azure-limits, anywhere on the line: tables behind Azure's Table Storage targets (AzureLimitsFront).
var azureLimits = args.Contains(AzureLimitsFront.Flag, StringComparer.Ordinal);
args = args.Where(a => a != AzureLimitsFront.Flag).ToArray();
await using var limits = azureLimits ? await AzureLimitsFront.StartAsync() : null;
var name = args.FirstOrDefault() ?? "help";
switch (name)
{
    case "items":
        await ItemsBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "resync-timer":
        await ResyncTimerBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "bitwarden":
        await BitwardenSyncBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "bitwarden-v2":
        await BitwardenV2DecryptBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "onepassword":
        await OnePasswordSyncBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "keeper":
        await KeeperSyncBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "load":
        await LoadBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "runs":
        await WholeVaultRunBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "codes":
        await CodeWakeBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    case "usage":
        await UsageBenchmark.RunAsync(args.Skip(1).ToArray());
        break;
    default:
        Console.WriteLine("Benchmarks: items [itemCount], resync-timer [connectionCount], onepassword [itemCount...], bitwarden [itemCount], bitwarden-v2 [itemCount], keeper [recordCount...], load [itemCount] [secondsPerPhase] [clients], runs [itemCount], usage [calls], codes [samples]; " +
            "add --azure-limits to run the tables behind Azure's Table Storage limits");
        break;
}

if (limits is not null)
{
    AzureLimitsFront.PrintReport(limits);
}
