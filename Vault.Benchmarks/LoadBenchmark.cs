using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vault.Core.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 11's load figure: calls/s and p50/p99 of <c>GET /v1/vault/items?domain=</c> and
/// <c>GET /v1/runs/{id}/credentials</c> with 1 and 50 concurrent clients on ONE account, beside the
/// <c>GET /v1/health</c> ceiling of the same host in the same run; then whether <c>/v1/usage</c> counted every
/// billable call the clients made. The standalone host runs in this process on Azurite; the clients are HttpClient
/// loops (no external load generator needed).
/// </summary>
public static class LoadBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var itemCount = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000;
        var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        var many = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 50;
        var storage = Stats.StorageOrExit();
        await using var host = await BenchHost.StartAsync(storage, services => services.AddSingleton<IVaultProvider>(new BenchProvider(itemCount, itemCount / 5)));

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 1000, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { BaseAddress = host.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
        var apiKey = host.Client.DefaultRequestHeaders.GetValues("X-API-Key").Single();
        long billed = 0; // the account's creation is an admin call, not billed

        using (var connect = new HttpRequestMessage(HttpMethod.Post, "/v1/vault/connections")
        {
            Content = JsonContent.Create(new { provider = "bitwarden", clientId = "user.00000000-0000-0000-0000-000000000001", clientSecret = "x", masterPassword = "y" }),
        })
        {
            connect.Headers.Add("X-API-Key", apiKey);
            (await http.SendAsync(connect)).EnsureSuccessStatusCode();
            billed++;
        }

        const string domain = "shop3.com";
        var itemsPath = $"/v1/vault/items?domain={domain}";
        var matching = await GetJsonAsync(http, itemsPath, apiKey);
        billed++;
        var ids = matching["items"]!.AsArray().Select(i => i!["itemId"]!.GetValue<string>()).ToArray();
        using var createRun = new HttpRequestMessage(HttpMethod.Post, "/v1/runs") { Content = JsonContent.Create(new { url = $"https://{domain}/", use_vault = true, credential_item_ids = ids }) };
        createRun.Headers.Add("X-API-Key", apiKey);
        var run = (await (await http.SendAsync(createRun)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
        billed++;
        var credentialsPath = $"/v1/runs/{run["runId"]}/credentials?domain={domain}";
        var runToken = run["runToken"]!.GetValue<string>();

        Console.WriteLine($"one account, {itemCount} cached items, {ids.Length} match {domain}; run granted those {ids.Length}; {seconds:F0} s per phase");
        Console.WriteLine($"{"route",-44} {"clients",7} {"calls/s",9} {"p50 ms",8} {"p99 ms",8} {"failed",7}");

        var health = await PhaseAsync(http, "/v1/health", null, null, many, seconds);
        Print("GET /v1/health (ceiling, not billed)", many, health);
        var results = new List<(string Route, int Clients, PhaseResult Result)>();
        foreach (var clients in new[] { 1, many })
        {
            var items = await PhaseAsync(http, itemsPath, apiKey, null, clients, seconds);
            billed += items.Billable;
            results.Add(("GET /v1/vault/items?domain=", clients, items));
            Print("GET /v1/vault/items?domain=", clients, items);
        }

        foreach (var clients in new[] { 1, many })
        {
            var credentials = await PhaseAsync(http, credentialsPath, null, runToken, clients, seconds);
            billed += credentials.Billable;
            results.Add(("GET /v1/runs/{id}/credentials", clients, credentials));
            Print("GET /v1/runs/{id}/credentials?domain=", clients, credentials);
        }

        foreach (var route in results.GroupBy(r => r.Route))
        {
            var one = route.Single(r => r.Clients == 1).Result.PerSecond;
            var lots = route.Single(r => r.Clients == many).Result.PerSecond;
            Console.WriteLine($"{route.Key}: {many} clients / 1 client = {lots / one:F2}x");
        }

        // Every billable call the clients made must be on the bill (the usage call itself is counted after it answers).
        var counted = 0L;
        var watch = Stopwatch.StartNew();
        var usage = await GetJsonAsync(http, "/v1/usage", apiKey);
        var usageMs = watch.Elapsed.TotalMilliseconds;
        foreach (var day in usage["days"]!.AsArray())
        {
            counted += day!["calls"]!.GetValue<long>();
        }

        Console.WriteLine($"billable calls made: {billed}; counted by GET /v1/usage: {counted} ({(counted == billed ? "exact" : $"{billed - counted} missing")}); usage answered in {usageMs:F0} ms");
    }

    private static void Print(string route, int clients, PhaseResult r) =>
        Console.WriteLine($"{route,-44} {clients,7} {r.PerSecond,9:F0} {r.P50,8:F1} {r.P99,8:F1} {r.Failed,7}");

    private static async Task<JsonObject> GetJsonAsync(HttpClient http, string path, string apiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", apiKey);
        using var response = await http.SendAsync(request);
        return (await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private sealed record PhaseResult(double PerSecond, double P50, double P99, long Failed, long Billable);

    /// <summary><paramref name="clients"/> loops calling <paramref name="path"/> back to back for a second of warm-up, then for <paramref name="seconds"/>.</summary>
    private static async Task<PhaseResult> PhaseAsync(HttpClient http, string path, string? apiKey, string? bearer, int clients, double seconds)
    {
        long billable = 0;
        async Task<(List<double> Latencies, long Failed)> LoopAsync(DateTime measureFrom, DateTime until)
        {
            var latencies = new List<double>(4096);
            long failed = 0;
            while (DateTime.UtcNow < until)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                if (apiKey is not null)
                {
                    request.Headers.Add("X-API-Key", apiKey);
                }

                if (bearer is not null)
                {
                    request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
                }

                var started = Stopwatch.GetTimestamp();
                var status = 0;
                try
                {
                    using var response = await http.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                }

                if ((apiKey is not null || bearer is not null) && status is > 0 and < 500 and not 429)
                {
                    Interlocked.Increment(ref billable);
                }

                if (DateTime.UtcNow >= measureFrom)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (status != 200)
                    {
                        failed++;
                    }
                }
            }

            return (latencies, failed);
        }

        var start = DateTime.UtcNow;
        var measureFrom = start.AddSeconds(1);
        var until = measureFrom.AddSeconds(seconds);
        var loops = await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(() => LoopAsync(measureFrom, until))));
        var all = loops.SelectMany(l => l.Latencies).ToArray();
        Array.Sort(all);
        var p = (double q) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(all.Length * q))];
        return new PhaseResult(all.Length / seconds, p(0.5), p(0.99), loops.Sum(l => l.Failed), billable);
    }
}
