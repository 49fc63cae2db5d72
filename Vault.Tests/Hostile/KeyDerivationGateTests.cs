using Microsoft.Extensions.Options;
using Vault.Core.Providers;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Hostile;

/// <summary>The process-wide derivation gate as a unit: budgets, arrival order, and the wait that ends in a 503.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class KeyDerivationGateTests
{
    private static KeyDerivationGate Gate(int memory = 1024, int lanes = 4, int waitMs = 2000) =>
        new(Options.Create(new KeyDerivationOptions { MaxMemoryMiB = memory, MaxLanes = lanes, MaxWait = TimeSpan.FromMilliseconds(waitMs) }));

    [Fact]
    public async Task Maximal_derivations_enter_one_at_a_time_and_the_one_that_waits_too_long_is_told_when_to_retry()
    {
        // The wait is far longer than the 50 ms look below, so a loaded machine cannot turn "still waiting" into "refused".
        var gate = Gate(waitMs: 2000);
        var first = await gate.EnterAsync(1024, 16, default);
        var second = gate.EnterAsync(1024, 16, default);
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, gate.Running);
        first.Dispose();
        using (await second) // next in arrival order
        {
            Assert.Equal(1, gate.Running);
            var refused = await Assert.ThrowsAsync<ProviderUnavailableException>(() => gate.EnterAsync(1024, 16, default));
            Assert.Equal(TimeSpan.FromSeconds(15), refused.RetryAfter);
        }

        Assert.Equal(0, gate.Running);
        (await gate.EnterAsync(1024, 16, default)).Dispose(); // the refused one left nothing behind
    }

    [Fact]
    public async Task Small_derivations_share_the_budget_and_wait_behind_an_earlier_big_one()
    {
        var gate = Gate(memory: 256, lanes: 4);
        var a = await gate.EnterAsync(64, 1, default);
        var b = await gate.EnterAsync(64, 1, default);
        Assert.Equal(2, gate.Running);

        var big = gate.EnterAsync(256, 4, default); // needs the whole budget
        var small = gate.EnterAsync(64, 1, default); // fits, but came later: it does not overtake
        await Task.Delay(50);
        Assert.False(big.IsCompleted);
        Assert.False(small.IsCompleted);

        a.Dispose();
        b.Dispose();
        var bigSlot = await big;
        Assert.False(small.IsCompleted);
        bigSlot.Dispose();
        (await small).Dispose();
        Assert.Equal(0, gate.Running);
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_lets_the_next_one_in()
    {
        var gate = Gate(memory: 100, lanes: 1, waitMs: 5000);
        var holder = await gate.EnterAsync(100, 1, default);
        using var cancel = new CancellationTokenSource();
        var cancelled = gate.EnterAsync(100, 1, cancel.Token);
        var next = gate.EnterAsync(100, 1, default);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        holder.Dispose();
        (await next).Dispose();
        Assert.Equal(0, gate.Running);
    }
}
