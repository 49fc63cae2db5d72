namespace Vault.Core.Providers;

/// <summary>The provider refused the stored credentials (or the master password does not decrypt the vault).</summary>
/// <param name="userMessage">What to tell the user when it says more than "rejected" (shown as the connection's lastError).</param>
public sealed class ProviderRejectedCredentialsException(string message, Exception? inner = null, string? userMessage = null) : Exception(message, inner)
{
    public string? UserMessage { get; } = userMessage;
}
