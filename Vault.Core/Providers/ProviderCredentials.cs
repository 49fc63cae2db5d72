namespace Vault.Core.Providers;

/// <summary>
/// What a connection stores. <see cref="Identity"/> decides re-connect in place (same identity, same connection);
/// it is not secret but is compared only, never shown. <see cref="Secret"/> goes to the secret store only.
/// </summary>
public sealed record ProviderCredentials(string Identity, string? ServerUrl, string Secret)
{
    /// <summary>Never shows <see cref="Secret"/> (a record's generated ToString would).</summary>
    public override string ToString() => $"ProviderCredentials {{ ServerUrl = {ServerUrl}, Secret = *** }}";
}
