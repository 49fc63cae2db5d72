using Vault.Core.Errors;

namespace Vault.Core.Providers;

/// <summary>The registered providers by their contract name.</summary>
public sealed class ProviderRegistry(IEnumerable<IVaultProvider> providers)
{
    // The last registration of a kind wins, so a host (or a test) can replace a provider.
    private readonly Dictionary<string, IVaultProvider> _byKind = providers.GroupBy(p => p.Kind, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

    public IVaultProvider Get(string? kind) =>
        kind is not null && _byKind.TryGetValue(kind, out var provider)
            ? provider
            : throw new InvalidCommandException(nameof(ConnectInput.Provider), $"must be one of: {string.Join(", ", _byKind.Keys.Order(StringComparer.Ordinal))}.", string.IsNullOrEmpty(kind) ? InputProblemKind.Required : InputProblemKind.NotAllowed);
}
