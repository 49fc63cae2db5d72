using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Vault.Core.Storage;

namespace Vault.Benchmarks;

/// <summary>Counts the calls made to the secret store (Key Vault in production) by kind.</summary>
public sealed class CountingSecretStore : ISecretStore
{
    private ISecretStore _inner = null!;
    private int _gets, _sets, _deletes;

    public void Reset() => (_gets, _sets, _deletes) = (0, 0, 0);

    public string Summary() => $"{_sets} set, {_gets} get, {_deletes} delete";

    public Task SetAsync(string name, string value, CancellationToken ct)
    {
        Interlocked.Increment(ref _sets);
        return _inner.SetAsync(name, value, ct);
    }

    public Task<string?> GetAsync(string name, CancellationToken ct)
    {
        Interlocked.Increment(ref _gets);
        return _inner.GetAsync(name, ct);
    }

    public Task DeleteAsync(string name, CancellationToken ct)
    {
        Interlocked.Increment(ref _deletes);
        return _inner.DeleteAsync(name, ct);
    }

    internal void Wrap(ISecretStore inner) => _inner = inner;
}

public static class CountingSecretStoreExtensions
{
    /// <summary>Puts <paramref name="counter"/> in front of the registered secret store.</summary>
    public static IServiceCollection Decorate(this IServiceCollection services, CountingSecretStore counter)
    {
        var registered = services.Last(d => d.ServiceType == typeof(ISecretStore));
        services.Remove(registered);
        services.AddSingleton<ISecretStore>(sp =>
        {
            counter.Wrap((ISecretStore)registered.ImplementationFactory!(sp));
            return counter;
        });
        return services;
    }
}
