using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Vault.Core.Providers.Keeper.Crypto;
using Vault.Core.Providers.Network;

namespace Vault.Core.Providers.Keeper.Api;

/// <summary>
/// One Keeper Secrets Manager endpoint call as the SDK makes it (docs/keeper-protocol.md §3): a fresh 256-bit
/// transmission key sealed to the server's public key named by <c>PublicKeyId</c>, the JSON payload AES-GCM-encrypted
/// under it, both signed with the device key (<c>Authorization: Signature …</c>), and the answer decrypted under the
/// same transmission key. When the server asks for another key id (<c>{"error":"key","key_id":N}</c>) the call is sent
/// once more sealed to that key, and the device keeps the new id. Nothing else is retried.
/// </summary>
internal sealed class KeeperClient(HttpClient http, KeeperServerKeys serverKeys, ProviderLimits limits)
{
    /// <summary>
    /// The client version a payload names: that of Keeper's JavaScript SDK 17.5.0, whose wire protocol this client follows
    /// request for request and is judged against (docs/keeper-protocol.md), so the server treats it as that protocol level.
    /// </summary>
    public const string ClientVersion = "ms17.5.0";

    private const int MaxKeyRotations = 2;

    /// <summary>Requests sent through this client.</summary>
    public int Requests { get; private set; }

    /// <summary>The key id in force after the last call (the device's, or the one the server rotated it to).</summary>
    public int KeyId { get; private set; }

    public async Task<byte[]> PostAsync(string hostname, string endpoint, int keyId, byte[] privateKey, GetSecretPayload payload, CancellationToken ct)
    {
        KeyId = keyId;
        var body = JsonSerializer.SerializeToUtf8Bytes(payload, KeeperJson.Default.GetSecretPayload);
        for (var rotation = 0; ; rotation++)
        {
            var serverKey = serverKeys.Get(KeyId) ?? throw new ProviderUnavailableException(
                $"Keeper asked for server key id {KeyId.ToString(CultureInfo.InvariantCulture)}, which this service does not have.");
            var transmissionKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            try
            {
                var sealedKey = KeeperCrypto.SealToPublicKey(transmissionKey, serverKey);
                var encrypted = KeeperCrypto.Encrypt(body, transmissionKey);
                var signature = KeeperCrypto.Sign(privateKey, [.. sealedKey, .. encrypted]);
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"https://{hostname}/api/rest/sm/v1/{endpoint}"))
                {
                    Content = new ByteArrayContent(encrypted),
                };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                request.Headers.TryAddWithoutValidation("PublicKeyId", KeyId.ToString(CultureInfo.InvariantCulture));
                request.Headers.TryAddWithoutValidation("TransmissionKey", KeeperBase64.Encode(sealedKey));
                request.Headers.TryAddWithoutValidation("Authorization", "Signature " + KeeperBase64.Encode(signature));
                Requests++;
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                var answer = await BoundedBody.ReadBytesAsync(response, limits, ct).ConfigureAwait(false);
                if ((int)response.StatusCode == 200)
                {
                    return answer.Length == 0 ? [] : KeeperCrypto.Decrypt(answer, transmissionKey, "the answer");
                }

                var error = ErrorOf((int)response.StatusCode, answer, ProviderHttpErrors.RetryAfter(response));
                if (error.Code == "key" && rotation < MaxKeyRotations && error.KeyId is { } next && next != KeyId && serverKeys.Get(next) is not null)
                {
                    KeyId = next; // the server rotated its key: seal to the one it names, and keep that id
                    continue;
                }

                throw error.Exception;
            }
            finally
            {
                System.Security.Cryptography.CryptographicOperations.ZeroMemory(transmissionKey);
            }
        }
    }

    private static (string? Code, int? KeyId, KeeperApiException Exception) ErrorOf(int status, byte[] answer, TimeSpan? retryAfterHeader)
    {
        ErrorAnswer? parsed = null;
        try
        {
            parsed = answer.Length is > 0 and < 64 * 1024 ? JsonSerializer.Deserialize(answer, KeeperJson.Default.ErrorAnswer) : null;
        }
        catch (JsonException)
        {
        }

        // A server's own words reach logs and error bodies: codes are Keeper's short identifiers, so longer is cut.
        var code = (parsed?.ResultCode ?? parsed?.Error) is { } named ? (named.Length > 64 ? named[..64] : named) : null;
        int? keyId = parsed?.KeyId is { ValueKind: JsonValueKind.Number } k && k.TryGetInt32(out var id) ? id
            : parsed?.KeyId is { ValueKind: JsonValueKind.String } s && int.TryParse(s.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var sid) ? sid : null;
        // Keeper names the wait in the body; a 429 may name it in its header. Without either, the SDK's first back-off (11 s).
        TimeSpan? retryAfter = code == "throttled" || status == 429
            ? TimeSpan.FromSeconds(Math.Clamp(Seconds(parsed?.RetryAfter) ?? retryAfterHeader?.TotalSeconds ?? 11, 1, 3600))
            : null;
        // Keeper's messages are fixed texts ("Signature is invalid", "Unable to validate application access"); bounded.
        var message = $"Keeper answered {status.ToString(CultureInfo.InvariantCulture)} {code ?? "(no error code)"}" +
            (parsed?.Message is { Length: > 0 } m ? ": " + (m.Length > 200 ? m[..200] : m) : "");
        return (code, keyId, new KeeperApiException(status, code, message, retryAfter));
    }

    private static double? Seconds(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var d) && double.IsFinite(d) => d,
        { ValueKind: JsonValueKind.String } s when double.TryParse(s.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) => d,
        _ => null,
    };
}
