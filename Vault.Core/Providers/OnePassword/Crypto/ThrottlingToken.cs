using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using NSec.Cryptography;

namespace Vault.Core.Providers.OnePassword.Crypto;

/// <summary>
/// The <c>OP-Throttling-Token</c> (docs/onepassword-protocol.md §9): a PASETO v4.public token signed with the Ed25519 key whose seed is
/// the token's <c>throttleSecret.seed</c>, claims <c>{"iat","exp"}</c> (one hour), footer <c>{"kid":uuid}</c> and the
/// implicit assertion <c>B5_THROTTLING_TOKEN</c> (signed, not sent). Reused for its hour, like the SDK does.
/// </summary>
internal sealed class ThrottlingToken
{
    private const string Header = "v4.public.";
    private static readonly byte[] ImplicitAssertion = "B5_THROTTLING_TOKEN"u8.ToArray();
    private readonly byte[] _seed;
    private readonly string _keyId;
    private readonly TimeProvider _clock;
    private string? _current;
    private DateTimeOffset _renewAt;

    public ThrottlingToken(byte[] seed, string keyId, TimeProvider clock)
    {
        _seed = seed;
        _keyId = keyId;
        _clock = clock;
    }

    /// <summary>The token for now, made anew when the previous one is close to its expiry.</summary>
    public string Current()
    {
        var now = _clock.GetUtcNow();
        if (_current is null || now >= _renewAt)
        {
            var iat = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, now.Second, TimeSpan.Zero);
            _current = Create(_seed, _keyId, iat);
            _renewAt = iat.AddMinutes(55);
        }

        return _current;
    }

    public static string Create(ReadOnlySpan<byte> seed, string keyId, DateTimeOffset issuedAt)
    {
        var claims = Encoding.UTF8.GetBytes(
            $"{{\"iat\":\"{Stamp(issuedAt)}\",\"exp\":\"{Stamp(issuedAt.AddHours(1))}\"}}");
        var footer = Encoding.UTF8.GetBytes($"{{\"kid\":\"{keyId}\"}}");
        return Sign(seed, claims, footer, ImplicitAssertion);
    }

    /// <summary>PASETO v4.public sign (also used by the tests against PASETO's published vectors).</summary>
    public static string Sign(ReadOnlySpan<byte> seed, byte[] message, byte[] footer, byte[] implicitAssertion)
    {
        var m2 = Pae(Encoding.ASCII.GetBytes(Header), message, footer, implicitAssertion);
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var signature = SignatureAlgorithm.Ed25519.Sign(key, m2);
        var body = new byte[message.Length + signature.Length];
        message.CopyTo(body, 0);
        signature.CopyTo(body, message.Length);
        var token = Header + LenientBase64Url.Encode(body);
        return footer.Length == 0 ? token : token + "." + LenientBase64Url.Encode(footer);
    }

    /// <summary>PASETO pre-authentication encoding: LE64(count) then LE64(length) ‖ bytes per piece (top bit clear).</summary>
    internal static byte[] Pae(params byte[][] pieces)
    {
        var length = 8 + pieces.Sum(p => 8 + p.Length);
        var output = new byte[length];
        BinaryPrimitives.WriteUInt64LittleEndian(output, (ulong)pieces.Length & long.MaxValue);
        var offset = 8;
        foreach (var piece in pieces)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(output.AsSpan(offset), (ulong)piece.Length & long.MaxValue);
            offset += 8;
            piece.CopyTo(output, offset);
            offset += piece.Length;
        }

        return output;
    }

    private static string Stamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
