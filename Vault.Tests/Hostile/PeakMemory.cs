using System.Diagnostics;

namespace Vault.Tests.Hostile;

/// <summary>
/// The process's memory growth while an action runs: the managed heap and the resident set are sampled every 10 ms
/// and the largest growth over the value before it is reported. Other tests run in parallel, so bounds asserted on it
/// are generous; what a hostile server did before the caps (gigabytes) is far beyond them.
/// </summary>
public static class PeakMemory
{
    public static async Task<(T Result, long GrowthBytes, TimeSpan Elapsed)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        long peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            using var process = Process.GetCurrentProcess();
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try
                {
                    await Task.Delay(10, stop.Token);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        });
        var watch = Stopwatch.StartNew();
        var result = await action();
        watch.Stop();
        await stop.CancelAsync();
        await sampler;
        return (result, peak - baseline, watch.Elapsed);
    }
}
