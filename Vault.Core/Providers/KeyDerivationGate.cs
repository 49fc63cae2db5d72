using Microsoft.Extensions.Options;

namespace Vault.Core.Providers;

/// <summary>
/// The one door every password-key derivation (Argon2id, PBKDF2) of this process goes through: it bounds the sum of
/// their memory and of their lanes, so tenants whose servers dictate the heaviest settings Bitwarden allows
/// (1 GiB × 16 lanes) cannot exhaust an instance by connecting at once. Waiters enter in arrival order; a derivation
/// larger than the whole budget enters alone. One that cannot enter within <see cref="KeyDerivationOptions.MaxWait"/>
/// fails with <see cref="ProviderUnavailableException"/> and a Retry-After. (The lanes of one Argon2id run on the
/// shared thread pool as its library schedules them; the gate keeps their sum, not their placement, in bounds.)
/// </summary>
public sealed class KeyDerivationGate(IOptions<KeyDerivationOptions> options)
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _queue = new();
    private int _memoryInUse;
    private int _lanesInUse;
    private int _running;

    /// <summary>Derivations running now (for tests and diagnostics).</summary>
    public int Running { get { lock (_lock) { return _running; } } }

    /// <summary>Waits for room for a derivation of <paramref name="memoryMiB"/> and <paramref name="lanes"/>; dispose the slot when done.</summary>
    public async Task<IDisposable> EnterAsync(int memoryMiB, int lanes, CancellationToken ct)
    {
        var settings = options.Value;
        var need = new Need(Math.Clamp(memoryMiB, 1, settings.MaxMemoryMiB), Math.Clamp(lanes, 1, settings.MaxLanes));
        Waiter waiter;
        lock (_lock)
        {
            if (_queue.Count == 0 && Fits(need, settings))
            {
                Take(need);
                return new Slot(this, need);
            }

            waiter = new Waiter(need);
            waiter.Node = _queue.AddLast(waiter);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.MaxWait);
        using (timeout.Token.Register(() => Abandon(waiter)))
        {
            try
            {
                await waiter.Admitted.Task.ConfigureAwait(false);
                return new Slot(this, need);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new ProviderUnavailableException("The service is busy deriving other keys; retry shortly.", settings.RetryAfter);
            }
        }
    }

    private bool Fits(Need need, KeyDerivationOptions settings) =>
        _running == 0 || (_memoryInUse + need.MemoryMiB <= settings.MaxMemoryMiB && _lanesInUse + need.Lanes <= settings.MaxLanes);

    private void Take(Need need)
    {
        _memoryInUse += need.MemoryMiB;
        _lanesInUse += need.Lanes;
        _running++;
    }

    private void Abandon(Waiter waiter)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                return; // admitted meanwhile: the slot is handed out
            }

            _queue.Remove(waiter.Node);
            waiter.Admitted.TrySetCanceled();
            AdmitWaiters(); // the head may have been the one blocking smaller ones behind it
        }
    }

    private void Release(Need need)
    {
        lock (_lock)
        {
            _memoryInUse -= need.MemoryMiB;
            _lanesInUse -= need.Lanes;
            _running--;
            AdmitWaiters();
        }
    }

    private void AdmitWaiters()
    {
        var settings = options.Value;
        while (_queue.First is { } head && Fits(head.Value.Need, settings))
        {
            // A waiter leaves the queue only here or in Abandon, both under the lock: one in it has not given up.
            _queue.RemoveFirst();
            Take(head.Value.Need);
            head.Value.Admitted.TrySetResult();
        }
    }

    private const int LargeDerivationMiB = 128;

    private readonly record struct Need(int MemoryMiB, int Lanes);

    private sealed class Waiter(Need need)
    {
        public Need Need { get; } = need;
        public LinkedListNode<Waiter>? Node { get; set; }
        public TaskCompletionSource Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Slot(KeyDerivationGate gate, Need need) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                if (need.MemoryMiB >= LargeDerivationMiB)
                {
                    // A large derivation's memory is garbage now; return it before the next one enters, or the budget
                    // would bound only what runs, not what the process holds (without pressure the GC may keep it).
                    GC.Collect();
                }

                gate.Release(need);
            }
        }
    }
}
