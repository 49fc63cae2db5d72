using System.Text;
using OtpNet;
using TotpGenerator = Vault.Core.Runs.TotpGenerator;
using Vault.Core.Runs;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Runs;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class TotpTests
{
    // RFC 6238, Appendix B: the published test vectors (8 digits, 30 s step; seeds are the ASCII strings below).
    [Theory]
    [InlineData(59L, "SHA1", "94287082")]
    [InlineData(59L, "SHA256", "46119246")]
    [InlineData(59L, "SHA512", "90693936")]
    [InlineData(1111111109L, "SHA1", "07081804")]
    [InlineData(1111111109L, "SHA256", "68084774")]
    [InlineData(1111111109L, "SHA512", "25091201")]
    [InlineData(1111111111L, "SHA1", "14050471")]
    [InlineData(1111111111L, "SHA256", "67062674")]
    [InlineData(1111111111L, "SHA512", "99943326")]
    [InlineData(1234567890L, "SHA1", "89005924")]
    [InlineData(1234567890L, "SHA256", "91819424")]
    [InlineData(1234567890L, "SHA512", "93441116")]
    [InlineData(2000000000L, "SHA1", "69279037")]
    [InlineData(2000000000L, "SHA256", "90698825")]
    [InlineData(2000000000L, "SHA512", "38618901")]
    [InlineData(20000000000L, "SHA1", "65353130")]
    [InlineData(20000000000L, "SHA256", "77737706")]
    [InlineData(20000000000L, "SHA512", "47863826")]
    public void Rfc6238_vectors_through_otpauth_uris(long unixTime, string algorithm, string expected)
    {
        var seed = algorithm switch
        {
            "SHA1" => "12345678901234567890",
            "SHA256" => "12345678901234567890123456789012",
            _ => "1234567890123456789012345678901234567890123456789012345678901234",
        };
        var secret = Base32Encoding.ToString(Encoding.ASCII.GetBytes(seed)).TrimEnd('=');
        var uri = $"otpauth://totp/Example:alice@example.com?secret={secret}&issuer=Example&algorithm={algorithm}&digits=8&period=30";

        var code = TotpGenerator.Compute(uri, DateTimeOffset.FromUnixTimeSeconds(unixTime));

        Assert.Equal(expected, code!.Code);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((unixTime / 30 + 1) * 30), code.ExpiresAt);
    }

    [Fact]
    public void Bare_base32_secret_is_sha1_six_digits_thirty_seconds()
    {
        var secret = Base32Encoding.ToString(Encoding.ASCII.GetBytes("12345678901234567890"));
        // RFC 6238 SHA-1 value at 59 s is 94287082; six digits are its last six.
        Assert.Equal("287082", TotpGenerator.Compute(secret.ToLowerInvariant().Insert(4, " "), DateTimeOffset.FromUnixTimeSeconds(59))!.Code);
    }

    [Fact]
    public void Period_and_digits_from_the_uri_are_honoured()
    {
        var secret = Base32Encoding.ToString(Encoding.ASCII.GetBytes("12345678901234567890"));
        var code = TotpGenerator.Compute($"otpauth://totp/x?secret={secret}&period=60&digits=6", DateTimeOffset.FromUnixTimeSeconds(119));
        // Step 1 of a 60 s period is counter 1, the same counter as RFC 6238's 59 s with a 30 s step.
        Assert.Equal("287082", code!.Code);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(120), code.ExpiresAt);
    }

    // Steam Guard vectors from KeePassXC's tests (keepassxreboot/keepassxc, tests/TestTotp.cpp).
    [Theory]
    [InlineData(1511200518L, "FR8RV")]
    [InlineData(1511200714L, "9P3VP")]
    public void Steam_guard_codes(long unixTime, string expected)
    {
        Assert.Equal(expected, TotpGenerator.Compute("steam://63BEDWCQZKTQWPESARIERL5DTTQFCJTK", DateTimeOffset.FromUnixTimeSeconds(unixTime))!.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base32 !!")]
    [InlineData("otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP")]
    [InlineData("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=MD5")]
    [InlineData("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=3")]
    [InlineData("otpauth://totp/x")]
    [InlineData("steam://")]
    public void Unusable_values_give_no_code(string value) => Assert.Null(TotpGenerator.Compute(value, DateTimeOffset.UtcNow));
}
