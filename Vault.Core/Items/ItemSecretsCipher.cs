using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Vault.Core.Common;
using Vault.Core.Storage;
using Vault.Core.Snapshots;

namespace Vault.Core.Items;

/// <summary>
/// Item secrets at rest: AES-256-GCM under the item's connection key (<see cref="KeyedSeal"/>), with account,
/// connection and item id as associated data so a ciphertext cannot be replayed onto another row. Also the keyed
/// fingerprint that tells the sync engine whether an item changed without storing anything derived from a secret in
/// a guessable form.
/// </summary>
public static class ItemSecretsCipher
{
    public static byte[] Encrypt(ConnectionKey key, string accountId, string itemId, ItemSecrets secrets) =>
        KeyedSeal.Seal(key, JsonSerializer.SerializeToUtf8Bytes(secrets, ItemJson.Default.ItemSecrets), Aad(accountId, key.ConnectionId, itemId));

    public static ItemSecrets Decrypt(ConnectionKey key, string accountId, string itemId, byte[] sealedValue) =>
        Parse(KeyedSeal.Open(key, sealedValue, Aad(accountId, key.ConnectionId, itemId)));

    /// <summary>A value of the layout before per-connection keys: sealed under the account's data key.</summary>
    public static ItemSecrets DecryptLegacy(byte[] accountKey, string accountId, string itemId, byte[] sealedValue) =>
        Parse(AesGcmSealer.Open(accountKey, sealedValue, Encoding.UTF8.GetBytes($"vault-item|{accountId}|{itemId}")));

    public static string Fingerprint(ConnectionKey key, ItemData data, ItemSecrets? secrets)
    {
        Span<byte> fingerprintKey = stackalloc byte[32];
        HKDF.Expand(HashAlgorithmName.SHA256, key.Bytes, fingerprintKey, "vault item fingerprint"u8);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, fingerprintKey);
        hmac.AppendData(JsonSerializer.SerializeToUtf8Bytes(data, ItemJson.Default.ItemData));
        hmac.AppendData([0]);
        if (secrets is not null)
        {
            hmac.AppendData(JsonSerializer.SerializeToUtf8Bytes(secrets, ItemJson.Default.ItemSecrets));
        }

        return Convert.ToBase64String(hmac.GetHashAndReset());
    }

    private static ItemSecrets Parse(byte[] json) =>
        JsonSerializer.Deserialize(json, ItemJson.Default.ItemSecrets) ?? throw new CryptographicException("Empty item secrets.");

    private static string Aad(string accountId, string connectionId, string itemId) => $"vault-item|{accountId}|{connectionId}|{itemId}";
}
