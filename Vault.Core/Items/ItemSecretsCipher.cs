using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vault.Core.Common;
using Vault.Core.Providers;
using Vault.Core.Storage;

namespace Vault.Core.Items;

/// <summary>
/// Item secrets at rest: AES-256-GCM under the account's data key, with account and item id as associated data so a
/// ciphertext cannot be replayed onto another item or account. Also the keyed fingerprint that tells the sync engine
/// whether an item changed without storing anything derived from a secret in a guessable form.
/// </summary>
public static class ItemSecretsCipher
{
    public static byte[] Encrypt(byte[] dataKey, string accountId, string itemId, ItemSecrets secrets) =>
        AesGcmSealer.Seal(dataKey, JsonSerializer.SerializeToUtf8Bytes(secrets, ItemJson.Default.ItemSecrets), Aad(accountId, itemId));

    public static ItemSecrets Decrypt(byte[] dataKey, string accountId, string itemId, byte[] sealedValue) =>
        JsonSerializer.Deserialize(AesGcmSealer.Open(dataKey, sealedValue, Aad(accountId, itemId)), ItemJson.Default.ItemSecrets)
        ?? throw new CryptographicException("Empty item secrets.");

    public static string Fingerprint(byte[] dataKey, ItemData data, ItemSecrets? secrets)
    {
        Span<byte> key = stackalloc byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, dataKey, key, "vault item fingerprint"u8);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(JsonSerializer.SerializeToUtf8Bytes(data, ItemJson.Default.ItemData));
        hmac.AppendData([0]);
        if (secrets is not null)
        {
            hmac.AppendData(JsonSerializer.SerializeToUtf8Bytes(secrets, ItemJson.Default.ItemSecrets));
        }

        return Convert.ToBase64String(hmac.GetHashAndReset());
    }

    private static byte[] Aad(string accountId, string itemId) => Encoding.UTF8.GetBytes($"vault-item|{accountId}|{itemId}");
}
