using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NSec.Cryptography;
using Vault.Core.Errors;
using Vault.Core.Providers;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class OnePasswordTokenTests
{
    private static readonly Lazy<(string Token, string[] Secrets)> Sample = new(() =>
    {
        var account = new Vault.Testing.OnePassword.FakeOnePasswordAccount(null);
        return (account.MintToken("my.1password.com"), account.SecretStrings().ToArray());
    });

    private static OnePasswordProvider Provider(bool allowPrivate = false)
    {
        var network = Options.Create(new NetworkOptions { AllowPrivateProviderHosts = allowPrivate });
        // Parsing sends nothing, so the budget's tables are never reached.
        var budget = new ReadBudget(new Vault.Core.Resync.ProviderBudgetTable(new Vault.Core.Storage.Tables(new Azure.Data.Tables.TableServiceClient("UseDevelopmentStorage=true"),
            Options.Create(new Vault.Core.VaultOptions()))), Options.Create(new OnePasswordOptions()), TimeProvider.System);
        return new OnePasswordProvider(new ProviderHttpClients(network), network, Options.Create(new OnePasswordOptions()), budget,
            NullLogger<OnePasswordProvider>.Instance, TimeProvider.System);
    }

    private static ConnectInput Input(string? token) => new("1password", token, null, null, null, null, null, null);

    private static string Mint(Action<JsonObject> tamper)
    {
        var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(Pad(Sample.Value.Token[4..]))))!.AsObject();
        tamper(json);
        return "ops_" + System.Buffers.Text.Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    private static string Pad(string b64u)
    {
        var s = b64u.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - (s.Length % 4)) % 4);
    }

    [Fact]
    public void A_well_formed_token_gives_identity_server_url_and_the_token_as_secret()
    {
        var credentials = Provider().ParseCredentials(Input(Sample.Value.Token));
        var email = JsonNode.Parse(Convert.FromBase64String(Pad(Sample.Value.Token[4..])))!["email"]!.GetValue<string>();
        Assert.Equal($"{email}|my.1password.com", credentials.Identity);
        Assert.Equal("https://my.1password.com", credentials.ServerUrl);
        Assert.Equal(Sample.Value.Token, credentials.Secret);
        Assert.DoesNotContain(Sample.Value.Token, credentials.ToString());
    }

    [Theory]
    [InlineData("https://my.1password.com/")]
    [InlineData("MY.1Password.com")]
    [InlineData("acme.1password.eu")]
    [InlineData("1password.ca")]
    public void Sign_in_addresses_on_1password_domains_are_accepted(string address)
    {
        var credentials = Provider().ParseCredentials(Input(Mint(j => j["signInAddress"] = address)));
        Assert.StartsWith("https://", credentials.ServerUrl);
        Assert.EndsWith(new Uri("https://" + address.Replace("https://", "")).Host, credentials.ServerUrl);
    }

    [Theory]
    [InlineData("evil.example.com")]
    [InlineData("1password.com.evil.example")]
    [InlineData("my1password.com")]
    [InlineData("my.1password.com:8443")]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    public void Other_sign_in_addresses_are_refused_before_any_request(string address)
    {
        var ex = Assert.Throws<InvalidCommandException>(() => Provider().ParseCredentials(Input(Mint(j => j["signInAddress"] = address))));
        Assert.Equal(nameof(ConnectInput.Token), Assert.Single(ex.Problems).Parameter);
    }

    [Fact]
    public void Loopback_is_allowed_only_with_private_provider_hosts()
    {
        var token = Mint(j => j["signInAddress"] = "127.0.0.1:8443");
        Assert.Throws<InvalidCommandException>(() => Provider().ParseCredentials(Input(token)));
        Assert.Equal("https://127.0.0.1:8443", Provider(allowPrivate: true).ParseCredentials(Input(token)).ServerUrl);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "empty", "" },
        { "no prefix", "abc" },
        { "wrong prefix", "opx_eyJ9" },
        { "not base64", "ops_!!!!" },
        { "not json", "ops_" + System.Buffers.Text.Base64Url.EncodeToString("hello"u8) },
        { "json array", "ops_" + System.Buffers.Text.Base64Url.EncodeToString("[1,2]"u8) },
        { "no address", Mint(j => j.Remove("signInAddress")) },
        { "address with path", Mint(j => j["signInAddress"] = "my.1password.com/x") },
        { "no email", Mint(j => j.Remove("email")) },
        { "bad email", Mint(j => j["email"] = "nobody") },
        { "secret key with O", Mint(j => j["secretKey"] = "A3-ABCDEO-GHJKLM-NPQRS-TVWXY-Z2345-6789A") },
        { "secret key short", Mint(j => j["secretKey"] = "A3-ABCDEF-GHJKLM") },
        { "srpX short", Mint(j => j["srpX"] = "abcd") },
        { "srpX not hex", Mint(j => j["srpX"] = new string('z', 64)) },
        { "muk 16 bytes", Mint(j => j["muk"]!["k"] = System.Buffers.Text.Base64Url.EncodeToString(new byte[16])) },
        { "muk not oct", Mint(j => j["muk"]!["kty"] = "RSA") },
        { "no muk", Mint(j => j.Remove("muk")) },
        { "wrong srp method", Mint(j => j["userAuth"]!["method"] = "SRP-3072") },
        { "no salt", Mint(j => j["userAuth"]!.AsObject().Remove("salt")) },
        { "device uuid", Mint(j => j["deviceUuid"] = "short") },
        { "throttle seed", Mint(j => j["throttleSecret"]!["seed"] = "00ff") },
        { "throttle uuid", Mint(j => j["throttleSecret"]!["uuid"] = "x") },
        { "no throttle", Mint(j => j.Remove("throttleSecret")) },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_tokens_are_invalid_requests_naming_the_token_without_its_content(string why, string token)
    {
        var ex = Assert.Throws<InvalidCommandException>(() => Provider().ParseCredentials(Input(token)));
        Assert.Equal(nameof(ConnectInput.Token), Assert.Single(ex.Problems).Parameter);
        Assert.False(string.IsNullOrEmpty(why));
        foreach (var secret in Sample.Value.Secrets.Append(Sample.Value.Token[4..30]))
        {
            Assert.DoesNotContain(secret, ex.Message);
            Assert.DoesNotContain(secret, ex.ToString());
        }
    }

    [Fact]
    public void Paseto_v4_public_matches_the_published_vectors()
    {
        var seed = Convert.FromHexString("b4cbfb43df4ce210727d953e4a713307fa19bb7d9f85041438d9e11b942a3774");
        var payload = """{"data":"this is a signed message","exp":"2022-01-01T00:00:00+00:00"}"""u8.ToArray();
        Assert.Equal(
            "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDowMCswMDowMCJ9bg_XBBzds8lTZShVlwwKSgeKpLT3yukTw6JUz3W4h_ExsQV-P0V54zemZDcAxFaSeef1QlXEFtkqxT1ciiQEDA",
            ThrottlingToken.Sign(seed, payload, [], []));
        Assert.Equal(
            "v4.public.eyJkYXRhIjoidGhpcyBpcyBhIHNpZ25lZCBtZXNzYWdlIiwiZXhwIjoiMjAyMi0wMS0wMVQwMDowMDowMCswMDowMCJ9v3Jt8mx_TdM2ceTGoqwrh4yDFn0XsHvvV_D0DtwQxVrJEBMl0F2caAdgnpKlt4p7xBnx1HcO-SPo8FPp214HDw.eyJraWQiOiJ6VmhNaVBCUDlmUmYyc25FY1Q3Z0ZUaW9lQTlDT2NOeTlEZmdMMVc2MGhhTiJ9",
            ThrottlingToken.Sign(seed, payload, """{"kid":"zVhMiPBP9fRf2snEcT7gFTioeA9COcNy9DfgL1W60haN"}"""u8.ToArray(), []));
    }

    [Fact]
    public void The_throttling_token_has_the_sdk_claims_footer_and_implicit_assertion()
    {
        var seed = new byte[32];
        seed[0] = 7;
        var token = ThrottlingToken.Create(seed, "ZIJ5GYJXYVJBZT5S6ANU6E3Z4A", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var parts = token.Split('.');
        var body = Convert.FromBase64String(Pad(parts[2]));
        var claims = body[..^64];
        Assert.Equal("""{"iat":"2026-01-02T03:04:05Z","exp":"2026-01-02T04:04:05Z"}""", Encoding.UTF8.GetString(claims));
        Assert.Equal("""{"kid":"ZIJ5GYJXYVJBZT5S6ANU6E3Z4A"}""", Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[3]))));
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        var m2 = ThrottlingToken.Pae("v4.public."u8.ToArray(), claims, Convert.FromBase64String(Pad(parts[3])), "B5_THROTTLING_TOKEN"u8.ToArray());
        Assert.True(SignatureAlgorithm.Ed25519.Verify(key.PublicKey, m2, body[^64..]));
    }
}

[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class OnePasswordSignInAddressTests
{
    [Theory]
    [InlineData("my.1password.com", false, true)]
    [InlineData("1password.eu", false, true)]
    [InlineData("acme.1password.ca", false, true)]
    [InlineData("my.1password.com:444", false, false)]
    [InlineData("x1password.com", false, false)]
    [InlineData("1password.com.example.org", false, false)]
    [InlineData("127.0.0.1:8443", false, false)]
    [InlineData("localhost:8443", false, false)]
    [InlineData("127.0.0.1:8443", true, true)]
    [InlineData("localhost:8443", true, true)]
    [InlineData("evil.example.com", true, false)]
    public void Only_1password_domains_and_with_private_hosts_loopback_literals(string address, bool allowPrivate, bool allowed) =>
        Assert.Equal(allowed, Vault.Core.Providers.OnePassword.SignInAddress.IsAllowed(address, allowPrivate));
}
