using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Vault.Core.Providers.Bitwarden.Crypto;

public enum KdfType
{
    Pbkdf2Sha256 = 0,
    Argon2id = 1,
}

/// <summary>An account's KDF settings, as the identity service reports them.</summary>
public sealed record KdfSettings(KdfType Type, int Iterations, int? MemoryMiB, int? Parallelism)
{
    // Bounds of the official clients (libs/common kdf-config: Argon2 iterations 2–10, memory 16–1024 MiB,
    // parallelism 1–16; PBKDF2 up to 2,000,000) and the SDK's minimum of 5,000 PBKDF2 iterations for existing
    // accounts. Anything weaker is refused: a server that lowers them is attempting a downgrade of the master key.
    public const int MinPbkdf2Iterations = 5_000;
    public const int MaxPbkdf2Iterations = 2_000_000;

    public void Validate()
    {
        var ok = Type switch
        {
            KdfType.Pbkdf2Sha256 => Iterations is >= MinPbkdf2Iterations and <= MaxPbkdf2Iterations,
            KdfType.Argon2id => Iterations is >= 2 and <= 10 && MemoryMiB is >= 16 and <= 1024 && Parallelism is >= 1 and <= 16,
            _ => false,
        };
        if (!ok)
        {
            throw new KdfRejectedException($"KDF settings below the official clients' minimums or out of range ({Type}).");
        }
    }
}

public sealed class KdfRejectedException(string message) : CryptographicException(message);

/// <summary>The master key: PBKDF2-SHA256 with the e-mail as salt, or Argon2id with SHA-256 of the e-mail as salt.</summary>
public static class MasterKey
{
    public static byte[] Derive(string masterPassword, string email, KdfSettings kdf)
    {
        kdf.Validate();
        var password = Encoding.UTF8.GetBytes(masterPassword);
        var salt = Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant());
        return DeriveRaw(password, salt, kdf);
    }

    /// <summary>Derivation with the salt as given (the published test vectors use a non-e-mail salt).</summary>
    public static byte[] DeriveRaw(byte[] password, byte[] salt, KdfSettings kdf) => kdf.Type switch
    {
        KdfType.Pbkdf2Sha256 => Rfc2898DeriveBytes.Pbkdf2(password, salt, kdf.Iterations, HashAlgorithmName.SHA256, 32),
        KdfType.Argon2id => Argon2(password, SHA256.HashData(salt), kdf),
        _ => throw new KdfRejectedException("Unknown KDF type."),
    };

    private static byte[] Argon2(byte[] password, byte[] salt, KdfSettings kdf)
    {
        // Not libsodium (NSec): its crypto_pwhash fixes one lane and a 16-byte salt, while Bitwarden derives with 4 lanes
        // by default and always salts with the 32-byte SHA-256 of the e-mail, so libsodium cannot derive these keys.
        using var argon = new Argon2id(password)
        {
            Salt = salt,
            Iterations = kdf.Iterations,
            MemorySize = kdf.MemoryMiB!.Value * 1024,
            DegreeOfParallelism = kdf.Parallelism!.Value,
        };
        return argon.GetBytes(32);
    }
}
