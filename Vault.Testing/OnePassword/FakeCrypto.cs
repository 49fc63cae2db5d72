using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using B64 = System.Buffers.Text.Base64Url;

namespace Vault.Testing.OnePassword;

/// <summary>
/// The fake server's own crypto, written independently of the client's (Vault.Core) so a shared mistake cannot pass
/// unnoticed; the official SDK judges both.
/// </summary>
internal static class FakeCrypto
{
    private static readonly string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>RFC 3526 4096-bit MODP prime (SRPg-4096).</summary>
    public static readonly BigInteger N = BigInteger.Parse("0ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d788719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa993b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff", NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public static readonly BigInteger G = 5;

    public static byte[] Bytes(BigInteger v) => v.ToByteArray(isUnsigned: true, isBigEndian: true);

    public static byte[] Pad512(BigInteger v)
    {
        var b = Bytes(v);
        var padded = new byte[Math.Max(512, b.Length)];
        b.CopyTo(padded, padded.Length - b.Length);
        return padded;
    }

    public static BigInteger Int(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    public static string HexNoLeadingZeros(BigInteger v)
    {
        var hex = Convert.ToHexStringLower(Bytes(v)).TrimStart('0');
        return hex.Length == 0 ? "0" : hex;
    }

    public static string B64u(ReadOnlySpan<byte> data) => B64.EncodeToString(data);

    public static byte[] FromB64u(string text) => B64.DecodeFromChars(text.TrimEnd('='));

    /// <summary>26 base32 characters of 16 random bytes, the form of 1Password ids.</summary>
    public static string NewId(bool upper)
    {
        // Exactly 16 bytes (the last character carries 3 bits and 2 zero bits): the SDK decodes ids strictly.
        var bytes = new byte[18];
        RandomNumberGenerator.Fill(bytes.AsSpan(0, 16));
        var sb = new StringBuilder(26);
        for (var i = 0; i < 26; i++)
        {
            var bit = i * 5;
            var value = (((bytes[bit / 8] << 8) | bytes[(bit / 8) + 1]) >> (11 - (bit % 8))) & 31;
            sb.Append(Alphabet[value]);
        }

        var id = sb.ToString();
        return upper ? id : id.ToLowerInvariant();
    }

    public static JsonObject Seal(byte[] key, string kid, byte[] plaintext)
    {
        var iv = RandomNumberGenerator.GetBytes(12);
        var output = new byte[plaintext.Length + 16];
        using var gcm = new AesGcm(key, 16);
        gcm.Encrypt(iv, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length));
        return new JsonObject { ["kid"] = kid, ["enc"] = "A256GCM", ["cty"] = "b5+jwk+json", ["iv"] = B64u(iv), ["data"] = B64u(output) };
    }

    public static JsonObject Seal(byte[] key, string kid, JsonNode plaintext) =>
        Seal(key, kid, Encoding.UTF8.GetBytes(plaintext.ToJsonString()));

    /// <summary>Opens an A256GCM envelope; null when it does not verify.</summary>
    public static byte[]? Open(byte[] key, JsonNode envelope)
    {
        try
        {
            var iv = FromB64u((string)envelope["iv"]!);
            var data = FromB64u((string)envelope["data"]!);
            var plaintext = new byte[data.Length - 16];
            using var gcm = new AesGcm(key, 16);
            gcm.Decrypt(iv, data.AsSpan(0, plaintext.Length), data.AsSpan(plaintext.Length), plaintext);
            return plaintext;
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or InvalidOperationException or NullReferenceException or ArgumentException)
        {
            return null;
        }
    }

    public static JsonObject SymmetricJwk(byte[] key, string kid) => new()
    {
        ["alg"] = "A256GCM", ["ext"] = true, ["k"] = B64u(key), ["key_ops"] = new JsonArray("decrypt", "encrypt"), ["kty"] = "oct", ["kid"] = kid,
    };
}
