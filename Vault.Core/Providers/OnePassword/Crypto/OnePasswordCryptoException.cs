namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>
/// Something encrypted or signed did not verify or decode (GCM tag, truncated envelope, malformed key). The message says
/// which part, never any of its bytes.
/// </summary>
internal sealed class OnePasswordCryptoException(string message, Exception? inner = null) : Exception(message, inner);
