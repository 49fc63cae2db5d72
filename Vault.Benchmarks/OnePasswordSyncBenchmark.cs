using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vault.Core.Providers;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword;
using Vault.Testing.OnePassword;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 6's measurement: requests (the quota's unit) and time per 1Password sync for N login items in 2 vaults,
/// overview-only (the default) against details-at-sync, and per live secret read. Against the fake server on 127.0.0.1.
/// </summary>
public static class OnePasswordSyncBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var counts = args.Length > 0 ? args.Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray() : [10, 100, 1000];
        Console.WriteLine("items | mode            | requests/sync | median ms | p95 ms");
        foreach (var count in counts)
        {
            await using var server = await FakeOnePasswordServer.StartAsync();
            var account = server.CreateAccount();
            var vaults = new[] { account.AddVault("Personal", "P"), account.AddVault("Work") };
            for (var i = 0; i < count; i++)
            {
                vaults[i % 2].AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com/login", "website", null)],
                    totp: i % 3 == 0 ? "JBSWY3DPEHPK3PXP" : null);
            }

            foreach (var details in new[] { false, true })
            {
                var provider = Create(server, details);
                var context = new ProviderContext("bench", "conn-bench",
                    provider.ParseCredentials(new ConnectInput("1password", account.MintToken(), null, null, null, null, null, null)));
                server.ClearRequests();
                await provider.ReadVaultAsync(context, default);
                var requests = server.Requests.Count;
                var (median, p95) = await Stats.SampleAsync(details && count >= 1000 ? 3 : 5, () => provider.ReadVaultAsync(context, default));
                Console.WriteLine($"{count,5} | {(details ? "details at sync" : "overviews only"),-15} | {requests,13} | {median,9:F0} | {p95,6:F0}");
            }

            var live = Create(server, false);
            var liveContext = new ProviderContext("bench", "conn-bench",
                live.ParseCredentials(new ConnectInput("1password", account.MintToken(), null, null, null, null, null, null)));
            server.ClearRequests();
            await live.ReadItemSecretsAsync(liveContext, vaults[0].Uuid, vaults[0].Items[0].Uuid, default);
            Console.WriteLine($"{count,5} | live secret read | {server.Requests.Count,12} |");
        }
    }

    private static OnePasswordProvider Create(FakeOnePasswordServer server, bool details)
    {
        var network = Options.Create(new NetworkOptions { AllowPrivateProviderHosts = true });
        return new OnePasswordProvider(new ProviderHttpClients(network), network,
            Options.Create(new OnePasswordOptions { PrivateCaPem = server.Ca.CaPem, ReadDetailsAtSync = details }),
            NullLogger<OnePasswordProvider>.Instance, TimeProvider.System);
    }
}
