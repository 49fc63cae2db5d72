using Vault.Core.Providers;
using Vault.Core.Snapshots;

namespace Vault.Benchmarks;

/// <summary>
/// A provider that answers a generated vault of a given size, so the benchmark measures our side only. The first
/// <paramref name="busyDomainItems"/> items also sign in at <see cref="BusyDomain"/> (a domain many logins share, as a
/// company's single sign-on does).
/// </summary>
public sealed class BenchProvider(int itemCount, int domainCount, int busyDomainItems = 0) : IVaultProvider
{
    public const string BusyDomain = "busy.example";

    public string Kind => "bitwarden";

    public ProviderCredentials ParseCredentials(ConnectInput input) => new(input.ClientId ?? "bench", null, input.ClientId ?? "bench");

    public Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var updated = DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var items = Enumerable.Range(0, itemCount).Select(i => new ProviderItem(
            i % 10 == 0 ? "org" : "personal",
            i % 10 == 0 ? "Acme Corp" : "My Vault",
            $"item{i:D6}",
            $"Login {i:D6}",
            $"user{i}@example.com",
            i < busyDomainItems
                ? [new ProviderUri($"https://login.site{i % domainCount}.example.com/signin"), new ProviderUri($"https://www.shop{i % domainCount}.com/"), new ProviderUri($"https://sso.{BusyDomain}/login")]
                : [new ProviderUri($"https://login.site{i % domainCount}.example.com/signin"), new ProviderUri($"https://www.shop{i % domainCount}.com/")],
            new ItemSecrets($"password-{i}", i % 3 == 0 ? "JBSWY3DPEHPK3PXP" : null),
            i % 3 == 0,
            updated)).ToList();
        return Task.FromResult(new VaultSnapshot("bench@example.com", items));
    }

    public Task<ProviderItemDetails> ReadItemDetailsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
