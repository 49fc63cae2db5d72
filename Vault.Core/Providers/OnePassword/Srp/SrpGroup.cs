using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;

namespace Vault.Core.Providers.OnePassword.Srp;

/// <summary>
/// SRP-6a group <c>SRPg-4096</c> (docs/onepassword-protocol.md §3.2): the RFC 3526 / RFC 5054 4096-bit prime, g = 5, H = SHA-256,
/// and the byte encodings 1Password uses (minimal big-endian, or left-padded to 512 bytes).
/// </summary>
internal static class SrpGroup
{
    public const string Method = "SRPg-4096";
    public const int PaddedLength = 512;

    public static readonly BigInteger N = BigInteger.Parse(
        "0FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A92108011A723C12A787E6D788719A10BDBA5B2699C327186AF4E23C1A946834B6150BDA2583E9CA2AD44CE8DBBBC2DB04DE8EF92E8EFC141FBECAA6287C59474E6BC05D99B2964FA090C3A2233BA186515BE7ED1F612970CEE2D7AFB81BDD762170481CD0069127D5B05AA993B4EA988D8FDDC186FFB7DC90A6C08F4DF435C934063199FFFFFFFFFFFFFFFF",
        NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    public static readonly BigInteger G = 5;

    /// <summary>k = H(N ‖ PAD(g)).</summary>
    public static readonly BigInteger K = FromBytes(SHA256.HashData([.. Bytes(N), .. Pad(G)]));

    public static byte[] Bytes(BigInteger value) => value.ToByteArray(isUnsigned: true, isBigEndian: true);

    public static byte[] Pad(BigInteger value)
    {
        var bytes = Bytes(value);
        if (bytes.Length >= PaddedLength)
        {
            return bytes;
        }

        var padded = new byte[PaddedLength];
        bytes.CopyTo(padded, PaddedLength - bytes.Length);
        return padded;
    }

    public static BigInteger FromBytes(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    /// <summary>Lower-case hex without leading zeros (how 1Password writes A and hashes S).</summary>
    public static string Hex(BigInteger value)
    {
        var hex = Convert.ToHexStringLower(Bytes(value)).TrimStart('0');
        return hex.Length == 0 ? "0" : hex;
    }

    /// <summary>Parses hex of any length (odd counts too); null when it is not hex.</summary>
    public static BigInteger? ParseHex(string? hex)
    {
        if (string.IsNullOrEmpty(hex) || hex.Length > 2 * PaddedLength + 2 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return FromBytes(Convert.FromHexString(hex.Length % 2 == 0 ? hex : "0" + hex));
    }

    /// <summary>Non-negative a mod N.</summary>
    public static BigInteger Mod(BigInteger value)
    {
        var r = BigInteger.Remainder(value, N);
        return r.Sign < 0 ? r + N : r;
    }
}
