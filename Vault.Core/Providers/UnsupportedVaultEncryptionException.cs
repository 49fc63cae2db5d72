namespace Vault.Core.Providers;

/// <summary>
/// The vault uses an encryption format (algorithm, content type, security version, item format) this client does not
/// read yet. The message names the part, never data or key material; the connect answers 400
/// UNSUPPORTED_VAULT_ENCRYPTION and a later sync records it as the connection's last error.
/// </summary>
public sealed class UnsupportedVaultEncryptionException(string part) : Exception($"Not supported yet: {part}.")
{
    /// <summary>What is not understood, e.g. <c>COSE algorithm -70011</c>.</summary>
    public string Part { get; } = part;
}
