using System.Security.Cryptography;
using System.Text;
using Vault.Core.Common;

namespace Vault.Core.Codes;

/// <summary>
/// Mailgun signs each webhook with the hex HMAC-SHA256 of <c>timestamp</c> followed by <c>token</c> under the account's
/// webhook signing key (Mailgun's "Securing webhooks").
/// </summary>
public static class MailgunSignature
{
    public static string Compute(string signingKey, string timestamp, string token) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(signingKey), Encoding.UTF8.GetBytes(timestamp + token)));

    public static bool Verify(string signingKey, string? timestamp, string? token, string? signature) =>
        timestamp is { Length: > 0 and <= 20 } && token is { Length: > 0 and <= 200 } && signature is { Length: 64 } &&
        ConstantTime.Equals(Compute(signingKey, timestamp, token), signature.ToLowerInvariant());
}

/// <summary>
/// Twilio signs each webhook with <c>X-Twilio-Signature</c>: the base64 HMAC-SHA1, under the auth token, of the full URL
/// Twilio called followed by every POST parameter's name and value, sorted by name (Twilio's "Webhooks security").
/// </summary>
public static class TwilioSignature
{
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var data = new StringBuilder(url);
        foreach (var (name, value) in parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            data.Append(name).Append(value);
        }

        return Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString())));
    }

    public static bool Verify(string authToken, string url, IEnumerable<KeyValuePair<string, string>> parameters, string? signature) =>
        signature is { Length: > 0 and <= 100 } && ConstantTime.Equals(Compute(authToken, url, parameters), signature);
}
