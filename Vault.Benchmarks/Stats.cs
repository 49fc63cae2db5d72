using System.Diagnostics;

namespace Vault.Benchmarks;

/// <summary>Timing helpers: repeated samples, median and p95 in milliseconds.</summary>
public static class Stats
{
    public static async Task<(double Median, double P95)> SampleAsync(int iterations, Func<Task> action)
    {
        for (var i = 0; i < Math.Min(10, iterations); i++)
        {
            await action(); // warm-up
        }

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var watch = Stopwatch.StartNew();
            await action();
            samples[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(samples);
        return (samples[iterations / 2], samples[(int)(iterations * 0.95)]);
    }

    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed;
    }

    public static string StorageOrExit()
    {
        var storage = Environment.GetEnvironmentVariable("AzureWebJobsStorage");
        if (string.IsNullOrEmpty(storage))
        {
            Console.Error.WriteLine("Set AzureWebJobsStorage (scripts/bench.sh does it with an in-memory Azurite).");
            Environment.Exit(2);
        }

        return storage;
    }
}
