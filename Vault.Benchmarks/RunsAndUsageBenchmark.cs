using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Accounts;
using Vault.Core.Providers;
using Vault.Core.Storage;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 11's run figure: a run granted a whole N-item vault (<c>use_vault: true</c>): creation time and the
/// credential route for one domain, and for a busy domain that holds many of the vault's credentials (second argument,
/// default 193).
/// </summary>
public static class WholeVaultRunBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var itemCount = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5_000;
        var busyItems = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 193;
        var storage = Stats.StorageOrExit();
        await using var host = await BenchHost.StartAsync(storage, services => services.AddSingleton<IVaultProvider>(new BenchProvider(itemCount, itemCount / 10, busyItems)));
        var http = host.Client;
        var connect = await Stats.TimeAsync(async () => (await http.PostAsJsonAsync("/v1/vault/connections",
            new { provider = "bitwarden", clientId = "user.00000000-0000-0000-0000-000000000001", clientSecret = "x", masterPassword = "y" })).EnsureSuccessStatusCode());
        Console.WriteLine($"connect + first sync of {itemCount} items: {connect.TotalSeconds:F2} s");

        var runs = new List<JsonObject>();
        var creations = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var took = await Stats.TimeAsync(async () => runs.Add((await (await http.PostAsJsonAsync("/v1/runs", new { use_vault = true })).EnsureSuccessStatusCode()
                .Content.ReadFromJsonAsync<JsonObject>())!));
            creations.Add(took.TotalMilliseconds);
        }

        Console.WriteLine($"POST /v1/runs use_vault=true ({runs[0]["credentials"]!.AsArray().Count} granted): {string.Join(", ", creations.Select(c => $"{c:F0} ms"))}");
        HttpClient Agent(JsonObject run)
        {
            var agent = new HttpClient { BaseAddress = http.BaseAddress };
            agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            return agent;
        }

        string PathOf(JsonObject run) => $"/v1/runs/{run["runId"]}/credentials?domain=shop3.com";

        // The process's first credential read also pays for compiling the route; a new run's first read in a warm
        // process is what an agent platform sees, and then every read after it.
        using var firstAgent = Agent(runs[0]);
        var coldProcess = await Stats.TimeAsync(async () => (await firstAgent.GetAsync(PathOf(runs[0]))).EnsureSuccessStatusCode());
        using var agent = Agent(runs[2]);
        var path = PathOf(runs[2]);
        var first = await Stats.TimeAsync(async () => (await agent.GetAsync(path)).EnsureSuccessStatusCode());
        var count = (await agent.GetFromJsonAsync<JsonObject>(path))!["credentials"]!.AsArray().Count;
        var read = await Stats.SampleAsync(200, async () => (await agent.GetAsync(path)).EnsureSuccessStatusCode());
        Console.WriteLine($"GET /v1/runs/{{id}}/credentials?domain=shop3.com: the process's first read {coldProcess.TotalMilliseconds:F1} ms (compiles the route)");
        Console.WriteLine($"GET /v1/runs/{{id}}/credentials?domain=shop3.com ({count} items): a new run's first read {first.TotalMilliseconds:F1} ms, then median {read.Median:F1} ms, p95 {read.P95:F1} ms");

        var busyPath = $"/v1/runs/{runs[1]["runId"]}/credentials?domain={BenchProvider.BusyDomain}";
        using var busyAgent = Agent(runs[1]);
        var busyFirst = await Stats.TimeAsync(async () => (await busyAgent.GetAsync(busyPath)).EnsureSuccessStatusCode());
        var busyCount = (await busyAgent.GetFromJsonAsync<JsonObject>(busyPath))!["credentials"]!.AsArray().Count;
        var busy = await Stats.SampleAsync(50, async () => (await busyAgent.GetAsync(busyPath)).EnsureSuccessStatusCode());
        Console.WriteLine($"GET /v1/runs/{{id}}/credentials?domain={BenchProvider.BusyDomain} ({busyCount} items): a new run's first read {busyFirst.TotalMilliseconds:F1} ms, then median {busy.Median:F1} ms, p95 {busy.P95:F1} ms ({busy.Median / busyCount:F2} ms a credential)");
    }
}

/// <summary>
/// Issue 11's usage figure: GET /v1/usage over 30 days for an account with N billable calls. The calls are written as
/// the gate writes them (through <see cref="CallLedger"/>: a call row and its instance's minute counter, concurrent calls
/// grouped) an hour at a time, and the real rollup folds each hour as the background
/// step would (a settable clock stands in for the passing days); then the read is timed.
/// </summary>
public static class UsageBenchmark
{
    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    public static async Task RunAsync(string[] args)
    {
        var calls = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
        var storage = Stats.StorageOrExit();
        var today = DateTime.UtcNow.Date;
        var start = today.AddDays(-29);
        var clock = new SettableClock(start);
        await using var host = await BenchHost.StartAsync(storage, services => services.AddSingleton<TimeProvider>(clock));
        var rollup = host.App.Services.GetRequiredService<UsageRollup>();
        var table = await host.App.Services.GetRequiredService<Tables>().UsageAsync();
        var ledger = host.App.Services.GetRequiredService<CallLedger>();
        var routes = new[] { "GET /v1/vault/items", "GET /v1/runs/{runId}/credentials", "POST /v1/runs", "GET /v1/usage" };

        // 30 days up to the current hour; the calls spread evenly over the hours.
        var hours = (int)((DateTime.UtcNow - start).TotalHours);
        long written = 0;
        var fill = await Stats.TimeAsync(async () =>
        {
            for (var h = 0; h < hours; h++)
            {
                var hourStart = start.AddHours(h);
                var inHour = (int)(calls * (h + 1) / hours - calls * h / hours);
                await Parallel.ForEachAsync(Enumerable.Range(0, inHour), new ParallelOptions { MaxDegreeOfParallelism = 400 }, async (i, ct) =>
                    await ledger.RecordAsync(table, host.AccountId, hourStart.AddMinutes(i * 60 / Math.Max(1, inHour)), $"req_b{h:D4}x{i:D6}", routes[i % routes.Length], ct));
                written += inHour;
                clock.Now = hourStart.AddHours(1) + UsageRollup.Grace;
                await rollup.RollUpAsync(host.AccountId, default);
                if (h % 48 == 0)
                {
                    Console.Error.WriteLine($"  {written} calls written and rolled up to {clock.Now:yyyy-MM-dd HH:mm}");
                }
            }
        });

        clock.Now = DateTimeOffset.UtcNow;
        var path = $"/v1/usage?from={start:yyyy-MM-dd}&to={today:yyyy-MM-dd}";
        var body = (await host.Client.GetFromJsonAsync<JsonObject>(path))!;
        var total = body["days"]!.AsArray().Sum(d => d!["calls"]!.GetValue<long>());
        var read = await Stats.SampleAsync(100, async () => (await host.Client.GetAsync(path)).EnsureSuccessStatusCode());
        Console.WriteLine($"{written} calls over 30 days written and rolled up in {fill.TotalSeconds:F0} s");
        Console.WriteLine($"GET /v1/usage (30 days, {body["days"]!.AsArray().Count} days, {total} calls counted): median {read.Median:F1} ms, p95 {read.P95:F1} ms");
    }
}
