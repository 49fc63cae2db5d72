using Vault.Core.Common;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Common;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class CallGroupsTests
{
    /// <summary>A run that records the groups it served and waits until released, so tests control when it finishes.</summary>
    private sealed class Recorder
    {
        public List<int[]> Groups { get; } = [];
        public SemaphoreSlim Release { get; } = new(0);
        public TaskCompletionSource FirstStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Set once a run has been let go (it is past its wait, about to answer its group).</summary>
        public volatile bool Released;

        public async Task RunAsync(string key, IReadOnlyList<GroupedCall<int, int>> group, CancellationToken ct)
        {
            lock (Groups)
            {
                Groups.Add(group.Select(c => c.Input).ToArray());
            }

            FirstStarted.TrySetResult();
            await Release.WaitAsync();
            Released = true;
            foreach (var call in group)
            {
                call.Succeed(call.Input * 10);
            }
        }
    }

    [Fact]
    public async Task A_lone_call_runs_at_once_and_callers_arriving_during_a_run_share_the_next_one()
    {
        var recorder = new Recorder();
        var groups = new CallGroups<string, int, int>(recorder.RunAsync, maxGroupSize: 100);

        var first = groups.CallAsync("account", 1, default);
        await recorder.FirstStarted.Task;
        var waiting = Enumerable.Range(2, 5).Select(i => groups.CallAsync("account", i, default)).ToList();
        recorder.Release.Release(2);

        Assert.Equal(10, await first);
        var results = await Task.WhenAll(waiting);
        Assert.Equal([20, 30, 40, 50, 60], results);
        Assert.Equal([[1], [2, 3, 4, 5, 6]], recorder.Groups);
    }

    [Fact]
    public async Task Groups_are_per_key_and_no_larger_than_the_maximum()
    {
        var recorder = new Recorder();
        var groups = new CallGroups<string, int, int>(recorder.RunAsync, maxGroupSize: 2);

        var blocker = groups.CallAsync("a", 0, default);
        await recorder.FirstStarted.Task;
        var other = groups.CallAsync("b", 100, default); // another key is not held up by "a"
        var queued = Enumerable.Range(1, 5).Select(i => groups.CallAsync("a", i, default)).ToList();
        recorder.Release.Release(10);

        await Task.WhenAll(queued.Append(blocker).Append(other));
        Assert.All(recorder.Groups, g => Assert.True(g.Length <= 2));
        Assert.Equal(Enumerable.Range(0, 6).Append(100), recorder.Groups.SelectMany(g => g).Order());
    }

    [Fact]
    public async Task A_caller_cancelled_before_its_run_is_withdrawn_and_its_input_never_used()
    {
        var recorder = new Recorder();
        var groups = new CallGroups<string, int, int>(recorder.RunAsync, maxGroupSize: 100);

        var first = groups.CallAsync("account", 1, default);
        await recorder.FirstStarted.Task;
        using var cancel = new CancellationTokenSource();
        var withdrawn = groups.CallAsync("account", 2, cancel.Token);
        var kept = groups.CallAsync("account", 3, default);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => withdrawn);
        recorder.Release.Release(2);

        Assert.Equal((10, 30), (await first, await kept));
        Assert.DoesNotContain(recorder.Groups, g => g.Contains(2));
    }

    [Fact]
    public async Task A_caller_cancelled_while_its_run_is_in_flight_returns_only_after_the_run()
    {
        var recorder = new Recorder();
        var groups = new CallGroups<string, int, int>(recorder.RunAsync, maxGroupSize: 100);
        using var cancel = new CancellationTokenSource();

        var call = groups.CallAsync("account", 1, cancel.Token);
        await recorder.FirstStarted.Task;
        // Whenever the call ends, note whether its run had been let go by then: ending earlier would let the caller
        // undo a write that may still land. No timing: a call that ends on cancellation is caught however fast.
        var runReleasedWhenCallEnded = call.ContinueWith(_ => recorder.Released, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        await cancel.CancelAsync();
        Assert.False(call.IsCompleted);

        recorder.Release.Release();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.True(await runReleasedWhenCallEnded, "the cancelled call ended before its run did");
    }

    [Fact]
    public async Task A_failed_run_fails_every_caller_of_its_group_and_the_next_group_runs()
    {
        var attempt = 0;
        var groups = new CallGroups<string, int, int>((_, group, _) =>
        {
            if (Interlocked.Increment(ref attempt) == 1)
            {
                throw new InvalidOperationException("storage said no");
            }

            foreach (var call in group)
            {
                call.Succeed(call.Input);
            }

            return Task.CompletedTask;
        }, maxGroupSize: 100);

        await Assert.ThrowsAsync<InvalidOperationException>(() => groups.CallAsync("account", 1, default));
        Assert.Equal(2, await groups.CallAsync("account", 2, default));
    }
}
