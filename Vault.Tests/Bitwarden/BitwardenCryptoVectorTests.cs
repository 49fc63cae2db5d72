using System.Security.Cryptography;
using System.Text;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Bitwarden;

/// <summary>Published test vectors from Bitwarden's open-source repositories.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class BitwardenCryptoVectorTests
{
    private static readonly byte[] Password = Encoding.UTF8.GetBytes("67t9b5g67$%Dh89n");
    private static readonly byte[] Salt = Encoding.UTF8.GetBytes("test_key");

    // bitwarden/sdk-internal, crates/bitwarden-crypto/src/keys/master_key.rs (test_master_key_derive_pbkdf2).
    [Fact]
    public void Master_key_from_pbkdf2()
    {
        byte[] expected = [31, 79, 104, 226, 150, 71, 177, 90, 194, 80, 172, 209, 17, 129, 132, 81, 138, 167, 69, 167, 254, 149, 2, 27, 39, 197, 64, 42, 22, 195, 86, 75];
        Assert.Equal(expected, MasterKey.DeriveRaw(Password, Salt, new KdfSettings(KdfType.Pbkdf2Sha256, 10_000, null, null)));
    }

    // bitwarden/sdk-internal, crates/bitwarden-crypto/src/keys/master_key.rs (test_master_key_derive_argon2):
    // 4 iterations, 32 MiB, parallelism 2; the salt is SHA-256 of "test_key".
    [Fact]
    public void Master_key_from_argon2id()
    {
        byte[] expected = [207, 240, 225, 177, 162, 19, 163, 76, 98, 106, 179, 175, 224, 9, 17, 240, 20, 147, 237, 47, 246, 150, 141, 184, 62, 225, 131, 242, 51, 53, 225, 242];
        Assert.Equal(expected, MasterKey.DeriveRaw(Password, Salt, new KdfSettings(KdfType.Argon2id, 4, 32, 2)));
    }

    // bitwarden/sdk, crates/bitwarden/src/crypto (test_key_stretch_password_pbkdf2): the stretched enc and mac keys.
    [Fact]
    public void Stretched_master_key()
    {
        var stretched = SymmetricKey.Stretch(MasterKey.DeriveRaw(Password, Salt, new KdfSettings(KdfType.Pbkdf2Sha256, 10_000, null, null)));
        Assert.Equal([111, 31, 178, 45, 238, 152, 37, 114, 143, 215, 124, 83, 135, 173, 195, 23, 142, 134, 120, 249, 61, 132, 163, 182, 113, 197, 189, 204, 188, 21, 237, 96], stretched.EncryptionKey);
        Assert.Equal([221, 127, 206, 234, 101, 27, 202, 38, 86, 52, 34, 28, 78, 28, 185, 16, 48, 61, 127, 166, 209, 247, 194, 87, 232, 26, 48, 85, 193, 249, 179, 155], stretched.MacKey);
    }

    // bitwarden/sdk-internal, crates/bitwarden-crypto/src/keys/master_key.rs: the master password hash for
    // "asdfasdf" / test@bitwarden.com / 100,000 iterations, with the e-mail normalised (case, spaces).
    [Theory]
    [InlineData("test@bitwarden.com")]
    [InlineData("TEST@bitwarden.com")]
    [InlineData(" test@bitwarden.com")]
    public void Email_salt_is_normalised(string email)
    {
        var key = MasterKey.Derive("asdfasdf", email, new KdfSettings(KdfType.Pbkdf2Sha256, 100_000, null, null));
        var hash = Rfc2898DeriveBytes.Pbkdf2(key, Encoding.UTF8.GetBytes("asdfasdf"), 1, HashAlgorithmName.SHA256, 32);
        Assert.Equal("wmyadRMyBZOH7P/a/ucTCbSghKgdzDpPqUnu/DAVtSw=", Convert.ToBase64String(hash));
    }

    // bitwarden/dotnet-extensions, Bitwarden.Extensions.Configuration tests (EncryptedStringTests.Decrypt_Works):
    // a type-2 EncString (AES-256-CBC + HMAC-SHA256) under a 64-byte key.
    [Fact]
    public void Type2_encstring_decrypts_and_a_tampered_mac_is_refused()
    {
        var key = SymmetricKey.FromBytes(Convert.FromBase64String("UY4B5N4DA4UisCNClgZtRr6VLy9ZF5BXXC7cDZRqourKi4ghEMgISbCsubvgCkHf5DZctQjVot11/vVvN9NNHQ=="));
        const string encString = "2.pDHeLbEbD3jWDmnFqYwI7g==|FAN55mPW4MZL+P9c4VkqIRDoAXdcHqHv4KpO50bwcvY=|yFJuxPEJD3oOqZ0v8U+WSKIX5Kr+/d0sCPi8Jwxb+ek=";
        Assert.Equal("encrypted_test_string", EncString.DecryptToString(encString, key));
        Assert.Throws<EncStringException>(() => EncString.DecryptToString(encString[..^6] + "AAAAA=", key));
        Assert.Throws<EncStringException>(() => EncString.DecryptToString("0.pDHeLbEbD3jWDmnFqYwI7g==|FAN55mPW4MZL+P9c4VkqIRDoAXdcHqHv4KpO50bwcvY=", key));
    }

    // bitwarden/sdk-internal, crates/bitwarden-crypto/src/enc_string/asymmetric.rs: types 3, 4 and 6 under the test
    // RSA key decrypt to SymmetricCryptoKey::generate_seeded_for_unit_tests("test") (ChaCha20 keystream of SHA-256("test")).
    [Theory]
    [InlineData("3.SUx5gWrgmAKs/S1BoQrqOmx2Hl5fPVBVHokW17Flvm4TpBnJJRkfoitp7Jc4dfazPYjWGlckJz6X+qe+/AWilS1mxtzS0PmDy7tS5xP0GRlB39dstCd5jDw1wPmTbXiLcQ5VTvzpRAfRMEYVveTsEvVTByvEYAGSn4TnCsUDykyhRbD0YcJ4r1KHLs1b3BCBy2M1Gl5nmwckH08CAXaf8VfuBFStAGRKueovqp4euneQla+4G4fXdVvb8qKPnu0iVuALIE6nUNmeOiA3xN3d+akMxbbGxrQ1Ca4TYWjHVdj9C6abngQHkjKNYQwGUXrYo160hP4LIHn/huK6bZe5dQ==")]
    [InlineData("4.DMD1D5r6BsDDd7C/FE1eZbMCKrmryvAsCKj6+bO54gJNUxisOI7SDcpPLRXf+JdhqY15pT+wimQ5cD9C+6OQ6s71LFQHewXPU29l9Pa1JxGeiKqp37KLYf+1IS6UB2K3ANN35C52ZUHh2TlzIS5RuntxnpCw7APbcfpcnmIdLPJBtuj/xbFd6eBwnI3GSe5qdS6/Ixdd0dgsZcpz3gHJBKmIlSo0YN60SweDq3kTJwox9xSqdCueIDg5U4khc7RhjYx8b33HXaNJj3DwgIH8iLj+lqpDekogr630OhHG3XRpvl4QzYO45bmHb8wAh67Dj70nsZcVg6bAEFHdSFohww==")]
    [InlineData("6.DMD1D5r6BsDDd7C/FE1eZbMCKrmryvAsCKj6+bO54gJNUxisOI7SDcpPLRXf+JdhqY15pT+wimQ5cD9C+6OQ6s71LFQHewXPU29l9Pa1JxGeiKqp37KLYf+1IS6UB2K3ANN35C52ZUHh2TlzIS5RuntxnpCw7APbcfpcnmIdLPJBtuj/xbFd6eBwnI3GSe5qdS6/Ixdd0dgsZcpz3gHJBKmIlSo0YN60SweDq3kTJwox9xSqdCueIDg5U4khc7RhjYx8b33HXaNJj3DwgIH8iLj+lqpDekogr630OhHG3XRpvl4QzYO45bmHb8wAh67Dj70nsZcVg6bAEFHdSFohww==|AA==")]
    public void Organization_key_rsa_decrypt(string encString)
    {
        using var rsa = RSA.Create();
        rsa.ImportFromPem(TestRsaKey);
        var expected = ChaCha20KeyStream(SHA256.HashData("test"u8), 64);
        Assert.Equal(expected, EncString.Decrypt(encString, rsa));
    }

    [Theory]
    [InlineData("7.AAAA")] // type 7 under a v1 key: the wrong key for it, the item is skipped
    [InlineData("garbage")]
    [InlineData("2.notbase64|x|y")]
    public void Malformed_encstrings_are_clear_errors(string encString) =>
        Assert.Throws<EncStringException>(() => EncString.Decrypt(encString, SymmetricKey.Generate()));

    // A type newer than any this client knows is a format not understood: named, so the read fails loudly instead of
    // dropping the item.
    [Fact]
    public void An_unknown_encstring_type_is_unsupported() =>
        Assert.Equal("EncString type 9", Assert.Throws<Vault.Core.Providers.UnsupportedVaultEncryptionException>(
            () => EncString.Decrypt("9.AAAA|AAAA", SymmetricKey.Generate())).Part);

    [Theory]
    [InlineData(KdfType.Pbkdf2Sha256, 4_999, null, null)]
    [InlineData(KdfType.Pbkdf2Sha256, 1, null, null)]
    [InlineData(KdfType.Argon2id, 1, 64, 4)]
    [InlineData(KdfType.Argon2id, 3, 8, 4)]
    [InlineData(KdfType.Argon2id, 3, 64, 0)]
    [InlineData(KdfType.Argon2id, 3, 4096, 4)]
    public void Kdf_below_the_minimums_is_refused(KdfType type, int iterations, int? memory, int? parallelism) =>
        Assert.Throws<KdfRejectedException>(() => MasterKey.Derive("pw", "a@b.c", new KdfSettings(type, iterations, memory, parallelism)));

    /// <summary>RFC 8439 ChaCha20 keystream from counter 0 and an all-zero nonce (the SDK's seeded test keys).</summary>
    private static byte[] ChaCha20KeyStream(byte[] key, int length)
    {
        var output = new byte[length];
        Span<uint> state = stackalloc uint[16];
        Span<uint> working = stackalloc uint[16];
        for (uint block = 0; block * 64 < length; block++)
        {
            state[0] = 0x61707865; state[1] = 0x3320646e; state[2] = 0x79622d32; state[3] = 0x6b206574;
            for (var i = 0; i < 8; i++)
            {
                state[4 + i] = BitConverter.ToUInt32(key, i * 4);
            }

            state[12] = block; state[13] = 0; state[14] = 0; state[15] = 0;
            state.CopyTo(working);
            for (var round = 0; round < 10; round++)
            {
                Quarter(working, 0, 4, 8, 12); Quarter(working, 1, 5, 9, 13); Quarter(working, 2, 6, 10, 14); Quarter(working, 3, 7, 11, 15);
                Quarter(working, 0, 5, 10, 15); Quarter(working, 1, 6, 11, 12); Quarter(working, 2, 7, 8, 13); Quarter(working, 3, 4, 9, 14);
            }

            for (var i = 0; i < 16 && block * 64 + i * 4 < length; i++)
            {
                BitConverter.GetBytes(working[i] + state[i]).CopyTo(output, (int)block * 64 + i * 4);
            }
        }

        return output;
    }

    private static void Quarter(Span<uint> s, int a, int b, int c, int d)
    {
        s[a] += s[b]; s[d] = uint.RotateLeft(s[d] ^ s[a], 16);
        s[c] += s[d]; s[b] = uint.RotateLeft(s[b] ^ s[c], 12);
        s[a] += s[b]; s[d] = uint.RotateLeft(s[d] ^ s[a], 8);
        s[c] += s[d]; s[b] = uint.RotateLeft(s[b] ^ s[c], 7);
    }

    private const string TestRsaKey = """
        -----BEGIN PRIVATE KEY-----
        MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCXRVrCX+2hfOQS
        8HzYUS2oc/jGVTZpv+/Ryuoh9d8ihYX9dd0cYh2tl6KWdFc88lPUH11Oxqy20Rk2
        e5r/RF6T9yM0Me3NPnaKt+hlhLtfoc0h86LnhD56A9FDUfuI0dVnPcrwNv0YJIo9
        4LwxtbqBULNvXl6wJ7WAbODrCQy5ZgMVg+iH+gGpwiqsZqHt+KuoHWcN53MSPDfa
        F4/YMB99U3TziJMOOJask1TEEnakMPln11PczNDazT17DXIxYrbPfutPdh6sLs6A
        QOajdZijfEvepgnOe7cQ7aeatiOJFrjTApKPGxOVRzEMX4XS4xbyhH0QxQeB6l16
        l8C0uxIBAgMBAAECggEASaWfeVDA3cVzOPFSpvJm20OTE+R6uGOU+7vh36TX/POq
        92qBuwbd0h0oMD32FxsXywd2IxtBDUSiFM9699qufTVuM0Q3tZw6lHDTOVG08+tP
        dr8qSbMtw7PGFxN79fHLBxejjO4IrM9lapjWpxEF+11x7r+wM+0xRZQ8sNFYG46a
        PfIaty4BGbL0I2DQ2y8I57iBCAy69eht59NLMm27fRWGJIWCuBIjlpfzET1j2HLX
        UIh5bTBNzqaN039WH49HczGE3mQKVEJZc/efk3HaVd0a1Sjzyn0QY+N1jtZN3jTR
        buDWA1AknkX1LX/0tUhuS3/7C3ejHxjw4Dk1ZLo5/QKBgQDIWvqFn0+IKRSu6Ua2
        hDsufIHHUNLelbfLUMmFthxabcUn4zlvIscJO00Tq/ezopSRRvbGiqnxjv/mYxuc
        vOUBeZtlus0Q9RTACBtw9TGoNTmQbEunJ2FOSlqbQxkBBAjgGEppRPt30iGj/VjA
        hCATq2MYOa/X4dVR51BqQAFIEwKBgQDBSIfTFKC/hDk6FKZlgwvupWYJyU9Rkyfs
        tPErZFmzoKhPkQ3YORo2oeAYmVUbS9I2iIYpYpYQJHX8jMuCbCz4ONxTCuSIXYQY
        UcUq4PglCKp31xBAE6TN8SvhfME9/MvuDssnQinAHuF0GDAhF646T3LLS1not6Vs
        zv7brwSoGwKBgQC88v/8cGfi80ssQZeMnVvq1UTXIeQcQnoY5lGHJl3K8mbS3TnX
        E6c9j417Fdz+rj8KWzBzwWXQB5pSPflWcdZO886Xu/mVGmy9RWgLuVFhXwCwsVEP
        jNX5ramRb0/vY0yzenUCninBsIxFSbIfrPtLUYCc4hpxr+sr2Mg/y6jpvQKBgBez
        MRRs3xkcuXepuI2R+BCXL1/b02IJTUf1F+1eLLGd7YV0H+J3fgNc7gGWK51hOrF9
        JBZHBGeOUPlaukmPwiPdtQZpu4QNE3l37VlIpKTF30E6mb+BqR+nht3rUjarnMXg
        AoEZ18y6/KIjpSMpqC92Nnk/EBM9EYe6Cf4eA9ApAoGAeqEUg46UTlJySkBKURGp
        Is3v1kkf5I0X8DnOhwb+HPxNaiEdmO7ckm8+tPVgppLcG0+tMdLjigFQiDUQk2y3
        WjyxP5ZvXu7U96jaJRI8PFMoE06WeVYcdIzrID2HvqH+w0UQJFrLJ/0Mn4stFAEz
        XKZBokBGnjFnTnKcs7nv/O8=
        -----END PRIVATE KEY-----
        """;
}
