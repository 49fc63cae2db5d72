using System.Security.Cryptography;
using Vault.Core.Storage;

namespace Vault.Core.Codes;

/// <summary>
/// The key the codes are sealed under in the tables (AES-256-GCM), one for the service, in the secret store (Key Vault).
/// Read once per instance. Created at first use; two instances starting at the same moment may both create one, and
/// the later write wins (codes sealed under the other in that moment become unreadable: they would expire within
/// minutes anyway).
/// </summary>
public sealed class CodeKey(ISecretStore secrets)
{
    public const string SecretName = "vault-codes-key";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    public async Task<byte[]> GetAsync(CancellationToken ct)
    {
        if (_key is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_key is null)
            {
                var stored = await secrets.GetAsync(SecretName, ct).ConfigureAwait(false);
                if (stored is null)
                {
                    await secrets.SetAsync(SecretName, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ct).ConfigureAwait(false);
                    stored = await secrets.GetAsync(SecretName, ct).ConfigureAwait(false);
                }

                _key = Convert.FromBase64String(stored!);
            }

            return _key;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static byte[] Seal(byte[] key, byte[] plaintext, string associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var sealedValue = new byte[12 + plaintext.Length + 16];
        nonce.CopyTo(sealedValue, 0);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(12, plaintext.Length), sealedValue.AsSpan(12 + plaintext.Length), System.Text.Encoding.UTF8.GetBytes(associatedData));
        return sealedValue;
    }

    public static byte[] Open(byte[] key, byte[] sealedValue, string associatedData)
    {
        if (sealedValue.Length < 28)
        {
            throw new CryptographicException("Sealed value too short.");
        }

        var plaintext = new byte[sealedValue.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedValue.AsSpan(0, 12), sealedValue.AsSpan(12, plaintext.Length), sealedValue.AsSpan(12 + plaintext.Length), plaintext,
            System.Text.Encoding.UTF8.GetBytes(associatedData));
        return plaintext;
    }
}
