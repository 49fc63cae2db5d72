namespace Vault.Core.Providers.Network;

/// <summary>
/// A provider address resolved only to addresses the service must not call. Raised from the connect callback, so it
/// reaches providers as the inner exception of an <see cref="HttpRequestException"/>; see <see cref="ProviderHttpErrors"/>.
/// </summary>
public sealed class OutboundAddressForbiddenException(string host)
    : Exception($"The provider host '{host}' resolves only to private, loopback, link-local or metadata addresses.")
{
    public string Host { get; } = host;
}
