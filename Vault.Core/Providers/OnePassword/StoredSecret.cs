using System.Text.Json;
using Vault.Core.Providers.OnePassword.Api;

namespace Vault.Core.Providers.OnePassword;

/// <summary>
/// What a 1Password connection keeps sealed: the service account token, and the vaults' versions as the last complete
/// read saw them (<see cref="AccountReader.VersionOf"/>), so a background resync can tell from the vault list alone that
/// nothing changed. Stored as the bare token until a read has a version to keep (as connect stores it).
/// </summary>
internal sealed record StoredSecret(string Token, string? VaultsVersion)
{
    public static StoredSecret Parse(string secret)
    {
        // Service account tokens start with "ops_": a stored JSON object cannot be mistaken for one.
        if (!secret.StartsWith('{'))
        {
            return new StoredSecret(secret, null);
        }

        try
        {
            return JsonSerializer.Deserialize(secret, OnePasswordJson.Wire.StoredSecret) is { Token: { Length: > 0 } } stored
                ? stored
                : throw new ProviderRejectedCredentialsException("The stored 1Password credentials are unreadable.");
        }
        catch (JsonException)
        {
            throw new ProviderRejectedCredentialsException("The stored 1Password credentials are unreadable.");
        }
    }

    public override string ToString() => $"StoredSecret {{ Token = ***, VaultsVersion = {VaultsVersion} }}";

    public string Serialize() => VaultsVersion is null ? Token : JsonSerializer.Serialize(this, OnePasswordJson.Wire.StoredSecret);
}
