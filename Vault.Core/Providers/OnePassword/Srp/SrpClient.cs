using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Vault.Core.Providers.OnePassword.Crypto;

namespace Vault.Core.Providers.OnePassword.Srp;

/// <summary>
/// The client side of 1Password's SRP-6a exchange (docs/onepassword-protocol.md §3.2-§3.3). x comes from the token as is (no key
/// derivation in the client). One instance per sign-in; the ephemeral secret a never leaves it.
/// </summary>
internal sealed class SrpClient
{
    private readonly BigInteger _a;
    private readonly BigInteger _x;

    public SrpClient(ReadOnlySpan<byte> x)
        : this(x, RandomNumberGenerator.GetBytes(64))
    {
    }

    /// <summary>With a given ephemeral secret, for tests.</summary>
    internal SrpClient(ReadOnlySpan<byte> x, ReadOnlySpan<byte> ephemeral)
    {
        _x = SrpGroup.FromBytes(x);
        _a = SrpGroup.FromBytes(ephemeral);
        A = BigInteger.ModPow(SrpGroup.G, _a, SrpGroup.N);
    }

    public BigInteger A { get; }

    /// <summary>userA of <c>POST /api/v2/auth</c>: lower-case hex, no padding.</summary>
    public string UserAHex => SrpGroup.Hex(A);

    /// <summary>
    /// Computes the session key K and the proof M from the server's B. Throws <see cref="OnePasswordCryptoException"/>
    /// when B is not acceptable (B mod N = 0 would let a rogue server fix the key).
    /// </summary>
    public SrpProof Complete(BigInteger b, ReadOnlySpan<byte> salt, string secretKeyId, string email)
    {
        if (b.Sign <= 0 || b >= SrpGroup.N || SrpGroup.Mod(b).IsZero)
        {
            throw new OnePasswordCryptoException("The server's SRP value B is out of range.");
        }

        var u = SrpGroup.FromBytes(SHA256.HashData([.. SrpGroup.Pad(A), .. SrpGroup.Pad(b)]));
        if (u.IsZero)
        {
            throw new OnePasswordCryptoException("The SRP scrambling value is zero.");
        }

        var gx = BigInteger.ModPow(SrpGroup.G, _x, SrpGroup.N);
        var baseValue = SrpGroup.Mod(b - SrpGroup.Mod(SrpGroup.K * gx));
        var s = BigInteger.ModPow(baseValue, _a + (u * _x), SrpGroup.N);
        var key = SHA256.HashData(Encoding.ASCII.GetBytes(SrpGroup.Hex(s)));

        var identity = Identity(secretKeyId, email);
        var hn = SHA256.HashData(SrpGroup.Bytes(SrpGroup.N));
        var hg = SHA256.HashData(SrpGroup.Bytes(SrpGroup.G));
        for (var i = 0; i < hn.Length; i++)
        {
            hn[i] ^= hg[i];
        }

        var m = SHA256.HashData([.. hn, .. SHA256.HashData(Encoding.UTF8.GetBytes(identity)), .. salt,
            .. SrpGroup.Bytes(A), .. SrpGroup.Bytes(b), .. key]);
        var expectedServer = SHA256.HashData([.. SrpGroup.Bytes(A), .. m, .. key]);
        return new SrpProof(key, m, expectedServer);
    }

    /// <summary>I = base64url(H(H(skid) ‖ H(email))), over the UTF-8 strings (§3.3).</summary>
    public static string Identity(string secretKeyId, string email) =>
        LenientBase64Url.Encode(SHA256.HashData([.. SHA256.HashData(Encoding.UTF8.GetBytes(secretKeyId)),
            .. SHA256.HashData(Encoding.UTF8.GetBytes(email))]));
}

/// <summary>The outcome of the exchange: session key K, client proof M and the server proof we expect.</summary>
internal sealed class SrpProof(byte[] sessionKey, byte[] clientProof, byte[] expectedServerProof)
{
    public byte[] SessionKey { get; } = sessionKey;
    public byte[] ClientProof { get; } = clientProof;

    public bool VerifyServer(ReadOnlySpan<byte> serverProof) =>
        CryptographicOperations.FixedTimeEquals(serverProof, expectedServerProof);

    public override string ToString() => "SrpProof { *** }";
}
