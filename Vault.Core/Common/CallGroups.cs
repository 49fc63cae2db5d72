using System.Collections.Concurrent;

namespace Vault.Core.Common;

/// <summary>One caller's part of a group: its input, and how the group's run answers it.</summary>
public sealed class GroupedCall<TInput, TResult>(TInput input)
{
    private readonly TaskCompletionSource<TResult> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TInput Input { get; } = input;

    internal Task<TResult> Done => _done.Task;

    /// <summary>Set when a run has taken this call; a call taken is no longer withdrawn by its caller's cancellation.</summary>
    internal bool Taken { get; set; }

    public void Succeed(TResult result) => _done.TrySetResult(result);

    public void Fail(Exception exception) => _done.TrySetException(exception);
}

/// <summary>
/// Group commit: concurrent calls with the same key are served by one run of an operation (one storage round trip for
/// many callers), and a caller is only ever served by a run that starts after it arrived, so it sees everything that
/// finished before it called. One caller alone runs at once (no added latency); callers that arrive while a run of their
/// key is in flight form the next group. Under load the cost per call falls as the number of callers grows, which is
/// the point: storage work stops growing with the call rate.
/// </summary>
/// <remarks>
/// A run serves several callers, so no one caller's cancellation may abort it: it gets its own token, cancelled after
/// <see cref="RunTimeout"/>. A cancelled caller whose call no run has taken yet is withdrawn (its input is never used);
/// once taken, the caller waits for the run to finish before its cancellation surfaces, so a caller that undoes its
/// write after giving up never undoes it before it landed.
/// </remarks>
public sealed class CallGroups<TKey, TInput, TResult>(
    Func<TKey, IReadOnlyList<GroupedCall<TInput, TResult>>, CancellationToken, Task> run, int maxGroupSize)
    where TKey : notnull
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<TKey, Queue> _queues = new();

    public async Task<TResult> CallAsync(TKey key, TInput input, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var call = new GroupedCall<TInput, TResult>(input);
        Queue queue;
        bool start;
        while (true)
        {
            queue = _queues.GetOrAdd(key, _ => new Queue());
            lock (queue)
            {
                if (queue.Retired)
                {
                    continue; // emptied and removed a moment ago: use the one that replaces it
                }

                queue.Waiting.Add(call);
                start = !queue.Running;
                queue.Running = true;
                break;
            }
        }

        if (start)
        {
            _ = RunLoopAsync(key, queue);
        }

        try
        {
            return await call.Done.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            lock (queue)
            {
                if (!call.Taken)
                {
                    queue.Waiting.Remove(call);
                    throw;
                }
            }

            try
            {
                // A run ends by its timeout; the margin only guards against one that ignores its token.
                await call.Done.WaitAsync(RunTimeout + RunTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The caller gave up; it only needs to know that the run is over.
            }

            throw;
        }
    }

    private async Task RunLoopAsync(TKey key, Queue queue)
    {
        while (true)
        {
            List<GroupedCall<TInput, TResult>> group;
            lock (queue)
            {
                if (queue.Waiting.Count == 0)
                {
                    queue.Running = false;
                    queue.Retired = true;
                    _queues.TryRemove(new KeyValuePair<TKey, Queue>(key, queue));
                    return;
                }

                var take = Math.Min(maxGroupSize, queue.Waiting.Count);
                group = queue.Waiting.GetRange(0, take);
                queue.Waiting.RemoveRange(0, take);
                foreach (var call in group)
                {
                    call.Taken = true;
                }
            }

            try
            {
                using var timeout = new CancellationTokenSource(RunTimeout);
                await run(key, group, timeout.Token).ConfigureAwait(false);
                foreach (var call in group)
                {
                    call.Fail(new InvalidOperationException("The group's run did not answer this call."));
                }
            }
            catch (Exception ex)
            {
                foreach (var call in group)
                {
                    call.Fail(ex);
                }
            }
        }
    }

    private sealed class Queue
    {
        public List<GroupedCall<TInput, TResult>> Waiting { get; } = [];
        public bool Running { get; set; }
        public bool Retired { get; set; }
    }
}
