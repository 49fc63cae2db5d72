using Vault.Core.Errors;

namespace Vault.Core.Providers;

/// <summary>The registered providers by their contract name.</summary>
public sealed class ProviderRegistry(IEnumerable<IVaultProvider> providers)
{
    private readonly Dictionary<string, IVaultProvider> _byKind = providers.ToDictionary(p => p.Kind, StringComparer.Ordinal);

    public IVaultProvider Get(string? kind) =>
        kind is not null && _byKind.TryGetValue(kind, out var provider)
            ? provider
            : throw new InvalidRequestException("provider", $"must be one of: {string.Join(", ", _byKind.Keys.Order(StringComparer.Ordinal))}.");
}
