using System.Security.Cryptography;
using Vault.Core.Providers.Keeper.Crypto;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// The Keeper application a device belongs to, as an opaque name: every device bound to one application holds its
/// application key (the records are sealed under it), and no other identifier of the application reaches a device.
/// A hash under a fixed label, so the name tells nothing of the key.
/// </summary>
internal static class KeeperApplication
{
    public static string? ScopeOf(KeeperDevice device) =>
        device.AppKey is { } appKey
            ? "app-" + Convert.ToHexStringLower(SHA256.HashData([.. "vault|keeper-application|"u8, .. KeeperBase64.Decode(appKey)]))[..32]
            : null;
}
