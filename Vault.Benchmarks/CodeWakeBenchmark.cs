using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 21's wake-up figure: how long after a code is pushed a waiting reader's long poll answers with it, when the
/// reader waits on the instance that took the message (woken in process) and on another instance of the same tables
/// (it looks again every 250 ms). The baseline in the same run is a plain read (<c>wait=0</c>) of the same route.
/// </summary>
public static class CodeWakeBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var samples = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 40;
        var storage = Stats.StorageOrExit();
        await using var first = await BenchHost.StartAsync(storage);
        await using var second = await BenchHost.StartAsync(storage, tablePrefix: first.TablePrefix);
        var run = (await (await first.Client.PostAsJsonAsync("/v1/runs", new { url = "https://github.com/login" })).EnsureSuccessStatusCode()
            .Content.ReadFromJsonAsync<JsonObject>())!;
        var runId = run["runId"]!.GetValue<string>();
        HttpClient Reader(BenchHost host)
        {
            var reader = new HttpClient { BaseAddress = host.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
            reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            return reader;
        }

        using var sameReader = Reader(first);
        using var otherReader = Reader(second);
        var cursor = (await sameReader.GetFromJsonAsync<JsonObject>($"/v1/runs/{runId}/codes"))!["cursor"]!.GetValue<string>();
        var plain = await Stats.SampleAsync(samples, async () => (await sameReader.GetAsync($"/v1/runs/{runId}/codes?after={cursor}")).EnsureSuccessStatusCode());
        Console.WriteLine($"GET /v1/runs/{{id}}/codes (wait=0, nothing new): median {plain.Median:F1} ms, p95 {plain.P95:F1} ms");

        foreach (var (name, reader) in new[] { ("same instance", sameReader), ("other instance", otherReader) })
        {
            var wakes = new double[samples];
            for (var i = 0; i < samples; i++)
            {
                var waiting = reader.GetFromJsonAsync<JsonObject>($"/v1/runs/{runId}/codes?wait=30&after={cursor}");
                // Let the poll reach its wait, at a point in the 250 ms look cycle that varies from sample to sample.
                await Task.Delay(200 + (i * 37 % 250));
                var pushed = Stopwatch.StartNew();
                (await first.Client.PostAsJsonAsync($"/v1/runs/{runId}/codes", new { text = $"Your verification code is {100000 + i}." })).EnsureSuccessStatusCode();
                var page = (await waiting)!;
                wakes[i] = pushed.Elapsed.TotalMilliseconds;
                cursor = page["cursor"]!.GetValue<string>();
                if (page["codes"]!.AsArray().Count != 1)
                {
                    throw new InvalidOperationException("the poll did not answer with the pushed code");
                }
            }

            Array.Sort(wakes);
            Console.WriteLine($"push → waiting reader on the {name} ({samples} samples, push call included): median {wakes[samples / 2]:F0} ms, "
                + $"p95 {wakes[(int)(samples * 0.95)]:F0} ms, max {wakes[^1]:F0} ms ({wakes[samples / 2] / plain.Median:F1}× a plain read)");
        }
    }
}
