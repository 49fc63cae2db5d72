using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Vault.Core.Accounts;
using Vault.Core.Storage;
using Vault.Core.Items;
using Vault.Core.Providers;
using Vault.Core.Providers.Bitwarden;
using Vault.Core.Providers.Bitwarden.Api;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Functions.Hosting;
using Vault.Testing.Bitwarden;
using Vault.Core.Snapshots;
using Vault.Core.Connections.Sync;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 3's figures: connect-and-sync of an N-item Bitwarden vault from the fake server, split into KDF, fetch
/// (login + /sync), decrypt and store, with peak memory; then a resync with no change (which must write nothing and,
/// as a background resync, download nothing: provider requests and storage operations counted; and,
/// with the master password no longer kept, never runs the KDF: its time is shown beside one derivation), and the
/// secret-store (Key Vault) calls of connect, sync, a run's credential read and disconnect.
/// Arguments: [items=5000] [pbkdf2 iterations=600000].
/// </summary>
public static class BitwardenSyncBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var itemCount = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5_000;
        var storage = Stats.StorageOrExit();
        await using var server = await FakeBitwardenServer.StartAsync();
        var iterations = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 600_000;
        var kdf = new KdfSettings(KdfType.Pbkdf2Sha256, iterations, null, null);
        var account = server.AddAccount("bench@example.com", "bench master password", kdf);
        var org = account.AddOrganization("Acme Corp");
        for (var i = 0; i < itemCount; i++)
        {
            account.AddLogin($"Login {i:D5}", $"user{i}", $"password-{i}", i % 4 == 0 ? "JBSWY3DPEHPK3PXP" : null,
                [($"https://login.site{i}.example.com/", null)], organizationId: i % 5 == 0 ? org : null, perCipherKey: i % 2 == 0);
        }

        // Components, measured one by one against the same fake.
        var secret = new BitwardenSecret { ClientId = account.ClientId, ClientSecret = account.ClientSecret, MasterPassword = account.MasterPassword, ServerUrl = server.BaseUrl };
        using var http = new HttpClient();
        var api = new BitwardenApiClient(http, BitwardenEndpoints.For(server.BaseUrl, null), TimeProvider.System, new Vault.Core.Providers.ProviderLimits());
        var watch = Stopwatch.StartNew();
        var grant = await api.LoginAsync(secret, Guid.NewGuid(), default);
        var sync = await api.SyncAsync(grant.AccessToken, default);
        var fetch = watch.Elapsed;
        watch.Restart();
        MasterKey.Derive(account.MasterPassword, account.Email, kdf);
        var kdfTime = watch.Elapsed;
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        watch.Restart();
        var (_, items) = new VaultDecryptor(NullLogger.Instance).Decrypt(sync, UserKeyUnlock.WithMasterPassword(account.MasterPassword), kdf, null);
        var decrypt = watch.Elapsed - kdfTime;
        var decryptAllocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;

        // The sync answer read both ways in the same run: as the service read it before (string, then a DOM of the
        // whole answer) and as it reads it now (deserialized from the stream under the limits, one cipher at a time).
        async Task<JsonObject> ReadAsStringThenDom()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl + "/api/sync?excludeDomains=true");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", grant.AccessToken);
            using var response = await http.SendAsync(request);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        }

        var (domPeak, domTime) = await PeakHeapAsync(ReadAsStringThenDom);
        var (streamPeak, streamTime) = await PeakHeapAsync(() => api.SyncAsync(grant.AccessToken, default));

        // The whole connect over HTTP on the standalone host, then the store on its own.
        var secretCalls = new CountingSecretStore();
        var storageCalls = new StorageCallCounter();
        await using var host = await BenchHost.StartAsync(storage, services =>
        {
            services.Decorate(secretCalls);
            storageCalls.AddTo(services);
            // Every connection due at once, so the background resync below runs each time it is asked.
            services.Configure<Vault.Core.VaultOptions>(o => o.ResyncInterval = TimeSpan.Zero);
            services.Configure<Vault.Core.Resync.ResyncOptions>(o => o.BitwardenSyncsPerMinute = 1_000);
        });
        var app = host.App;
        var client = host.Client;
        watch.Restart();
        secretCalls.Reset();
        var connect = await client.PostAsJsonAsync("/v1/vault/connections", new { provider = "bitwarden", clientId = account.ClientId, clientSecret = account.ClientSecret, masterPassword = account.MasterPassword, serverUrl = server.BaseUrl });
        var connectTime = watch.Elapsed;
        var connectCalls = secretCalls.Summary();
        var connected = (await connect.Content.ReadFromJsonAsync<JsonObject>())!;

        var engine = app.Services.GetRequiredService<SyncEngine>();
        var dataKey = await app.Services.GetRequiredService<ConnectionKeys>().CreateAsync("conn-benchstore", default);
        watch.Restart();
        await engine.ApplyAsync(host.AccountId, "conn-benchstore", "bitwarden", new VaultSnapshot("x", items), dataKey, default);
        var store = watch.Elapsed;

        var tokensBefore = server.TokenRequests;
        secretCalls.Reset();
        var resyncTimes = new List<double>();
        JsonObject resync = null!;
        for (var i = 0; i < 5; i++)
        {
            watch.Restart();
            resync = (await (await client.PostAsync("/v1/vault/items/sync", null)).Content.ReadFromJsonAsync<JsonObject>())!;
            resyncTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        var resyncTime = TimeSpan.FromMilliseconds(resyncTimes.Order().ElementAt(2));
        var syncCalls = secretCalls.Summary();

        // The background resync of the same unchanged vault: Bitwarden's revision date first, no download.
        var worker = app.Services.GetRequiredService<Vault.Core.Resync.ResyncWorker>();
        var message = new Vault.Core.Resync.ResyncMessage(host.AccountId, connected["connectionId"]!.GetValue<string>());
        var backgroundTimes = new List<double>();
        var (downloadsBefore, revisionsBefore, tokensBeforeBackground) = (server.SyncRequests, server.RevisionDateRequests, server.TokenRequests);
        var storageCounts = new List<int>();
        string storageSummary = string.Empty;
        for (var i = 0; i < 5; i++)
        {
            storageCalls.Reset();
            watch.Restart();
            var outcome = await worker.ProcessAsync(message, 1, default);
            backgroundTimes.Add(watch.Elapsed.TotalMilliseconds);
            storageCounts.Add(storageCalls.Count);
            storageSummary = storageCalls.Summary();
            if (outcome != Vault.Core.Resync.ResyncOutcome.Synced)
            {
                throw new InvalidOperationException($"The background resync answered {outcome}.");
            }
        }

        var backgroundTime = backgroundTimes.Order().ElementAt(2);

        var itemIds = connected["items"]!.AsArray().Take(3).Select(i => (JsonNode)i!["itemId"]!.GetValue<string>()).ToArray();
        var run = (await (await client.PostAsJsonAsync("/v1/runs", new JsonObject { ["credential_item_ids"] = new JsonArray(itemIds) })).Content.ReadFromJsonAsync<JsonObject>())!;
        secretCalls.Reset();
        using (var read = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials"))
        {
            read.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            (await client.SendAsync(read)).EnsureSuccessStatusCode();
        }

        var runCalls = secretCalls.Summary();
        secretCalls.Reset();
        (await client.DeleteAsync($"/v1/vault/connections/{connected["connectionId"]}")).EnsureSuccessStatusCode();
        var disconnectCalls = secretCalls.Summary();

        Console.WriteLine($"Bitwarden vault of {itemCount} items (PBKDF2 {iterations:N0}), {connected["itemCount"]} synced");
        Console.WriteLine($"  KDF (master key):            {kdfTime.TotalMilliseconds,8:F0} ms");
        Console.WriteLine($"  fetch (token + /sync):       {fetch.TotalMilliseconds,8:F0} ms");
        Console.WriteLine($"  decrypt (keys + all items):  {decrypt.TotalMilliseconds,8:F0} ms, {decryptAllocated / 1048576.0:F0} MiB allocated");
        Console.WriteLine($"  read of the sync answer, peak managed heap growth: before (string, then DOM) {domPeak / 1048576.0:F0} MiB in {domTime.TotalMilliseconds:F0} ms; " +
            $"now (from the stream) {streamPeak / 1048576.0:F0} MiB in {streamTime.TotalMilliseconds:F0} ms = {(double)streamPeak / domPeak:P0}");
        Console.WriteLine($"  store (sync engine, Azurite): {store.TotalMilliseconds,7:F0} ms");
        Console.WriteLine($"  connect over HTTP, end to end: {connectTime.TotalMilliseconds,6:F0} ms");
        Console.WriteLine($"  peak working set of the process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
        Console.WriteLine($"resync with no change (median of 5): {resyncTime.TotalMilliseconds:F0} ms = {resyncTime / kdfTime:P0} of one KDF, summary {resync["sync_summary"]!.ToJsonString()}, token requests {server.TokenRequests - tokensBefore}");
        Console.WriteLine($"background resync with no change (median of 5): {backgroundTime:F0} ms = {backgroundTime / resyncTime.TotalMilliseconds:P0} of the full read above; " +
            $"provider requests per resync: {(server.RevisionDateRequests - revisionsBefore) / 5.0:F1} revision-date, {(server.SyncRequests - downloadsBefore) / 5.0:F1} sync, " +
            $"{(server.TokenRequests - tokensBeforeBackground) / 5.0:F1} token; storage operations per resync: {string.Join("/", storageCounts)} (last: {storageSummary})");
        Console.WriteLine($"secret store (Key Vault) calls: connect {connectCalls}; 5 syncs {syncCalls}; run credential read {runCalls}; disconnect {disconnectCalls}");
    }

    /// <summary>The largest growth of the managed heap while <paramref name="read"/> runs (sampled every 2 ms) and its time.</summary>
    private static async Task<(long Peak, TimeSpan Time)> PeakHeapAsync(Func<Task<JsonObject>> read)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        var baseline = GC.GetTotalMemory(false);
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
                await Task.Delay(2).ConfigureAwait(false);
            }
        });
        var watch = Stopwatch.StartNew();
        var result = await read();
        var time = watch.Elapsed;
        peak = Math.Max(peak, GC.GetTotalMemory(false));
        await stop.CancelAsync();
        await sampler;
        GC.KeepAlive(result);
        return (peak - baseline, time);
    }
}
