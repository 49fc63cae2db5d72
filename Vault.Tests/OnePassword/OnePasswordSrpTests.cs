using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Vault.Core.Providers.OnePassword.Srp;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>
/// The SRP client against the fake server's independent server-side math, including the 1-in-256 case where A has a
/// leading zero byte (hex shorter than 1024 digits; M must use A unpadded).
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class OnePasswordSrpTests
{
    [Fact]
    public void Client_and_server_agree_on_key_and_proofs_even_when_A_has_a_leading_zero_byte()
    {
        var x = RandomNumberGenerator.GetBytes(32);
        SrpClient client;
        do
        {
            client = new SrpClient(x, RandomNumberGenerator.GetBytes(64));
        }
        while (client.A.ToByteArray(isUnsigned: true, isBigEndian: true).Length == 512);

        Assert.True(client.UserAHex.Length < 1023);
        Assert.Equal(client.A, BigInteger.Parse("0" + client.UserAHex, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture));

        // Server side, written from docs/onepassword-protocol.md with the fake's helpers.
        var n = FakeCrypto.N;
        var v = BigInteger.ModPow(FakeCrypto.G, FakeCrypto.Int(x), n);
        var k = FakeCrypto.Int(SHA256.HashData([.. FakeCrypto.Bytes(n), .. FakeCrypto.Pad512(FakeCrypto.G)]));
        var b = FakeCrypto.Int(RandomNumberGenerator.GetBytes(32));
        var bigB = ((k * v) + BigInteger.ModPow(FakeCrypto.G, b, n)) % n;
        var u = FakeCrypto.Int(SHA256.HashData([.. FakeCrypto.Pad512(client.A), .. FakeCrypto.Pad512(bigB)]));
        var s = BigInteger.ModPow(client.A * BigInteger.ModPow(v, u, n), b, n);
        var key = SHA256.HashData(Encoding.ASCII.GetBytes(FakeCrypto.HexNoLeadingZeros(s)));
        var salt = RandomNumberGenerator.GetBytes(16);
        const string skid = "ABC234";
        const string email = "abcdefghijklm@1passwordserviceaccounts.com";
        var identity = FakeCrypto.B64u(SHA256.HashData([.. SHA256.HashData(Encoding.UTF8.GetBytes(skid)), .. SHA256.HashData(Encoding.UTF8.GetBytes(email))]));
        var xor = SHA256.HashData(FakeCrypto.Bytes(n)).Zip(SHA256.HashData(FakeCrypto.Bytes(FakeCrypto.G)), (p, q) => (byte)(p ^ q)).ToArray();
        var m = SHA256.HashData([.. xor, .. SHA256.HashData(Encoding.UTF8.GetBytes(identity)), .. salt,
            .. FakeCrypto.Bytes(client.A), .. FakeCrypto.Bytes(bigB), .. key]);

        var proof = client.Complete(bigB, salt, skid, email);
        Assert.Equal(key, proof.SessionKey);
        Assert.Equal(m, proof.ClientProof);
        Assert.True(proof.VerifyServer(SHA256.HashData([.. FakeCrypto.Bytes(client.A), .. m, .. key])));
        Assert.False(proof.VerifyServer(new byte[32]));
    }

    [Fact]
    public void A_server_B_of_zero_modulo_N_is_refused()
    {
        var client = new SrpClient(RandomNumberGenerator.GetBytes(32));
        Assert.ThrowsAny<Exception>(() => client.Complete(BigInteger.Zero, new byte[16], "ABC234", "a@b.c"));
        Assert.ThrowsAny<Exception>(() => client.Complete(FakeCrypto.N, new byte[16], "ABC234", "a@b.c"));
    }
}
