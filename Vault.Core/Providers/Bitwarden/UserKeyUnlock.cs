using System.Security.Cryptography;
using System.Text;
using Vault.Core.Providers.Bitwarden.Crypto;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// How a read of the vault opens the account's user key: with the master password (connect and re-connect: the only
/// time the KDF runs), or with the user key kept from then. What the user key was opened from (the master-password
/// wrapped key, the KDF settings and the e-mail) is kept as a fingerprint: when it changes (new master password, new
/// KDF, a rotated account key), the kept user key no longer stands for the account and the connection needs the
/// master password again.
/// </summary>
public sealed class UserKeyUnlock
{
    private readonly string? _masterPassword;
    private readonly byte[]? _userKey;
    private readonly string? _fingerprint;

    private UserKeyUnlock(string? masterPassword, byte[]? userKey, string? fingerprint) =>
        (_masterPassword, _userKey, _fingerprint) = (masterPassword, userKey, fingerprint);

    public static UserKeyUnlock WithMasterPassword(string masterPassword) => new(masterPassword, null, null);

    public static UserKeyUnlock WithKeptUserKey(byte[] userKey, string fingerprint) => new(null, userKey, fingerprint);

    /// <summary>The fingerprint of what the user key was last opened from (set by <see cref="Open"/>).</summary>
    public string? OpenedFingerprint { get; private set; }

    /// <summary>The user key's stored form (set by <see cref="Open"/>), to keep instead of the master password.</summary>
    public byte[]? OpenedUserKey { get; private set; }

    public SymmetricKey Open(string email, KdfSettings kdf, string protectedUserKey)
    {
        var fingerprint = FingerprintOf(email, kdf, protectedUserKey);
        SymmetricKey userKey;
        if (_userKey is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(fingerprint), Encoding.ASCII.GetBytes(_fingerprint!)))
            {
                throw new ProviderRejectedCredentialsException("The account's master password, KDF settings or keys changed.",
                    userMessage: "The Bitwarden master password, KDF settings or account keys changed; connect again with the master password.");
            }

            userKey = SymmetricKey.FromBytes(_userKey);
        }
        else
        {
            userKey = OpenWithMasterPassword(_masterPassword!, email, kdf, protectedUserKey);
        }

        OpenedFingerprint = fingerprint;
        OpenedUserKey = userKey.ToBytes();
        return userKey;
    }

    private static SymmetricKey OpenWithMasterPassword(string masterPassword, string email, KdfSettings kdf, string protectedUserKey)
    {
        var type = EncString.TypeOf(protectedUserKey);
        if (type is not (0 or 2))
        {
            throw new UnsupportedVaultEncryptionException($"master-password-wrapped user key of EncString type {type}");
        }

        var masterKey = MasterKey.Derive(masterPassword, email, kdf);
        byte[] raw;
        try
        {
            raw = type == 0
                ? EncString.Decrypt(protectedUserKey, new SymmetricKey(masterKey, null))
                : EncString.Decrypt(protectedUserKey, SymmetricKey.Stretch(masterKey));
        }
        catch (CryptographicException)
        {
            throw new ProviderRejectedCredentialsException("The master password does not decrypt the user key.");
        }

        // The MAC verified: what follows is the account's key as stored (64 bytes in v1, a padded COSE key in v2).
        return SymmetricKey.FromBytes(raw);
    }

    private static string FingerprintOf(string email, KdfSettings kdf, string protectedUserKey) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"bitwarden-unlock|1|{email.Trim().ToLowerInvariant()}|{(int)kdf.Type}|{kdf.Iterations}|{kdf.MemoryMiB}|{kdf.Parallelism}|{protectedUserKey}")));

    public override string ToString() => "UserKeyUnlock { *** }";
}
