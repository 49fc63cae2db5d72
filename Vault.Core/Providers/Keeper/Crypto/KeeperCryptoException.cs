namespace Vault.Core.Providers.Keeper.Crypto;

/// <summary>A Keeper value did not decrypt, verify or decode. Its message names what, never a value.</summary>
internal sealed class KeeperCryptoException(string what, Exception? inner = null) : Exception("Keeper crypto: " + what, inner);
