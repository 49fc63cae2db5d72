using System.Diagnostics;

namespace Vault.Tests.Hostile;

/// <summary>
/// The process's memory growth while an action runs: the managed heap (what the GC holds, live or not yet collected)
/// is sampled every 10 ms after a full collection, and the largest growth over the value before it is reported. The
/// resident set is not used: memory a GC freed earlier stays resident and would hide a new allocation. Other tests run
/// in parallel, so bounds asserted on it are generous; what a hostile server did before the caps (gigabytes) is far
/// beyond them.
/// </summary>
public static class PeakMemory
{
    public static async Task<(T Result, long GrowthBytes, TimeSpan Elapsed)> MeasureAsync<T>(Func<Task<T>> action)
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var baseline = GC.GetTotalMemory(forceFullCollection: false);
        var peak = baseline;
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(false));
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
        peak = Math.Max(peak, GC.GetTotalMemory(false));
        await stop.CancelAsync();
        await sampler;
        return (result, peak - baseline, watch.Elapsed);
    }
}
