using System.Collections.Concurrent;
using Vault.Core.Providers;

namespace Vault.Tests.Keeper;

/// <summary>An in-memory pending-binding store that counts its calls and can be told to fail.</summary>
internal sealed class MemoryBindings : IPendingBindingStore
{
    public ConcurrentDictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
    public bool FailWrites { get; set; }
    public int Writes { get; private set; }

    /// <summary>Names removed before are refused, as Key Vault's soft delete refuses them.</summary>
    public bool KeepDeletedNames { get; set; }

    public ConcurrentDictionary<string, bool> Deleted { get; } = new(StringComparer.Ordinal);

    public Task<bool> SetAsync(string name, string sealedValue, CancellationToken ct)
    {
        Writes++;
        if (FailWrites)
        {
            throw new TimeoutException("the secret store is down");
        }

        if (KeepDeletedNames && Deleted.ContainsKey(name))
        {
            return Task.FromResult(false);
        }

        Values[name] = sealedValue;
        return Task.FromResult(true);
    }

    public Task<string?> GetAsync(string name, CancellationToken ct) => Task.FromResult(Values.TryGetValue(name, out var v) ? v : null);

    public Task DeleteAsync(string name, CancellationToken ct)
    {
        if (Values.TryRemove(name, out _))
        {
            Deleted[name] = true;
        }

        return Task.CompletedTask;
    }
}
