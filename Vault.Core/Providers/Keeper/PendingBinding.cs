using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Vault.Core.Providers.Keeper.Api;
using Vault.Core.Providers.Keeper.Crypto;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// A one-time token's binding while no connection holds it (docs/keeper-protocol.md §4): the device key made for the
/// token, written before the binding request is sent, and the app key once the answer arrived. Sealed (AES-256-GCM)
/// under a key derived from the token's own key, and named by a hash of the tenant and the client id, so the record
/// is useless without the token and one tenant never finds another's.
/// </summary>
internal sealed record PendingBinding
{
    [JsonPropertyName("privateKey")] public required string PrivateKey { get; init; }
    [JsonPropertyName("appKey")] public string? AppKey { get; init; }
    [JsonPropertyName("appOwnerPublicKey")] public string? AppOwnerPublicKey { get; init; }
    [JsonPropertyName("serverPublicKeyId")] public string? ServerPublicKeyId { get; init; }

    public static string NameFor(string accountId, string clientId) =>
        "keeper-binding-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(accountId + "|" + clientId)))[..48];

    public string Seal(byte[] clientKey, string name)
    {
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(this, KeeperJson.Default.PendingBinding);
        try
        {
            return KeeperBase64.EncodeUrl(KeeperCrypto.Encrypt(plaintext, SealKey(clientKey), Encoding.UTF8.GetBytes(name)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>The record, or null when it does not open under this token (another token, altered, or not ours).</summary>
    public static PendingBinding? Open(string sealedValue, byte[] clientKey, string name)
    {
        if (KeeperBase64.TryDecode(sealedValue) is not { } data)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(KeeperCrypto.Decrypt(data, SealKey(clientKey), "a pending binding", Encoding.UTF8.GetBytes(name)), KeeperJson.Default.PendingBinding);
        }
        catch (Exception ex) when (ex is KeeperCryptoException or JsonException)
        {
            return null;
        }
    }

    public override string ToString() => $"PendingBinding {{ HasAppKey = {AppKey is not null} }}";

    private static byte[] SealKey(byte[] clientKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, clientKey, 32, salt: [], info: "vault keeper pending binding v1"u8.ToArray());
}
