using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>
/// The <c>X-AgileBits-MAC</c> header of every request from auth/complete on (docs/onepassword-protocol.md §4): an HMAC-SHA256 over
/// session id, method, host (no port), path and query (with the <c>?</c> always present) and the request id, under a
/// key derived from the session key with 1Password's fixed phrase.
/// </summary>
internal sealed class RequestMac
{
    private static readonly byte[] DerivationPhrase = "He never wears a Mac, in the pouring rain. Very strange."u8.ToArray();
    private readonly byte[] _macKey;
    private readonly string _sessionId;

    public RequestMac(ReadOnlySpan<byte> sessionKey, string sessionId)
    {
        _macKey = HMACSHA256.HashData(sessionKey, DerivationPhrase);
        _sessionId = sessionId;
    }

    public string Header(HttpMethod method, Uri uri, long requestId)
    {
        var id = requestId.ToString(CultureInfo.InvariantCulture);
        var query = uri.Query.StartsWith('?') ? uri.Query[1..] : uri.Query;
        var message = $"{_sessionId}|{method.Method.ToUpperInvariant()}|{uri.Host}{uri.AbsolutePath}?{query}|v1|{id}";
        var hmac = HMACSHA256.HashData(_macKey, Encoding.UTF8.GetBytes(message));
        return $"v1|{id}|{LenientBase64Url.Encode(hmac.AsSpan(0, 12))}";
    }
}
