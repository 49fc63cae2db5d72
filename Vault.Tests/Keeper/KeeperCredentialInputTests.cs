using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Vault.Core.Errors;
using Vault.Core.Providers;
using Vault.Core.Providers.Keeper;
using Vault.Core.Providers.Network;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>What the token field may hold for Keeper, checked without a network call; and the production door.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class KeeperCredentialInputTests
{
    private const string Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"; // 32 bytes, base64url

    private static KeeperProvider Provider(bool allowPrivate = false, KeeperOptions? options = null)
    {
        var network = Microsoft.Extensions.Options.Options.Create(new NetworkOptions { AllowPrivateProviderHosts = allowPrivate });
        return new KeeperProvider(new ProviderHttpClients(network), network, Microsoft.Extensions.Options.Options.Create(options ?? new KeeperOptions()),
            new MemoryBindings(), NullLogger<KeeperProvider>.Instance, TimeProvider.System);
    }

    private static ProviderCredentials Parse(string token, bool allowPrivate = false) =>
        Provider(allowPrivate).ParseCredentials(new ConnectInput("keeper", token, null, null, null, null, null, null));

    [Theory]
    [InlineData("US", "https://keepersecurity.com")]
    [InlineData("EU", "https://keepersecurity.eu")]
    [InlineData("AU", "https://keepersecurity.com.au")]
    [InlineData("GOV", "https://govcloud.keepersecurity.us")]
    [InlineData("JP", "https://keepersecurity.jp")]
    [InlineData("CA", "https://keepersecurity.ca")]
    [InlineData("eu", "https://keepersecurity.eu")]
    [InlineData("keeper.example.com", "https://keeper.example.com")]
    [InlineData("keeper.example.com:8443", "https://keeper.example.com:8443")]
    public void A_region_or_host_before_the_last_colon_names_the_server(string prefix, string serverUrl)
    {
        var credentials = Parse(prefix + ":" + Key);
        Assert.Equal(serverUrl, credentials.ServerUrl);
        // The identity is Keeper's client id: base64 of HMAC-SHA512 of the tag under the token's key bytes.
        var expected = Convert.ToBase64String(System.Security.Cryptography.HMACSHA512.HashData(Convert.FromBase64String(Key + "="), "KEEPER_SECRETS_MANAGER_CLIENT_ID"u8));
        Assert.Equal(expected, credentials.Identity);
        Assert.DoesNotContain("privateKey", credentials.Secret, StringComparison.Ordinal); // no key is made before the first read
    }

    [Fact]
    public void A_loopback_host_with_a_port_is_for_development_only()
    {
        Assert.Equal("https://localhost:8443", Parse("localhost:8443:" + Key, allowPrivate: true).ServerUrl);
        var refused = Assert.Throws<InvalidCommandException>(() => Parse("localhost:8443:" + Key));
        Assert.Equal(nameof(ConnectInput.Token), refused.Problems[0].Parameter);
        Assert.Throws<InvalidCommandException>(() => Parse("10.1.2.3:" + Key));
        Assert.Throws<InvalidCommandException>(() => Parse("169.254.169.254:" + Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-colon-at-all")]
    [InlineData("US:")]
    [InlineData(":" + Key)]
    [InlineData("US:c2hvcnQ")]
    [InlineData("host/with/path:" + Key)]
    [InlineData("user@host:" + Key)]
    [InlineData("e30")] // base64 of "{}": a configuration without anything
    public void Anything_else_is_refused_naming_the_token(string token)
    {
        var refused = Assert.Throws<InvalidCommandException>(() => Parse(token));
        Assert.Equal(nameof(ConnectInput.Token), refused.Problems[0].Parameter);
        Assert.DoesNotContain(Key, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_base64_configuration_of_a_bound_device_is_taken_as_it_is()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var config = $$"""{"hostname":"keepersecurity.eu","clientId":"Y2xpZW50","privateKey":"{{Convert.ToBase64String(key.ExportPkcs8PrivateKey())}}","appKey":"{{Convert.ToBase64String(new byte[32])}}","serverPublicKeyId":"12"}""";
        var credentials = Parse(Convert.ToBase64String(Encoding.UTF8.GetBytes(config)));
        Assert.Equal("Y2xpZW50", credentials.Identity);
        Assert.Equal("https://keepersecurity.eu", credentials.ServerUrl);
        Assert.Contains("\"serverPublicKeyId\":\"12\"", credentials.Secret, StringComparison.Ordinal);

        var withoutKey = config.Replace("\"privateKey\"", "\"other\"", StringComparison.Ordinal);
        Assert.Throws<InvalidCommandException>(() => Parse(Convert.ToBase64String(Encoding.UTF8.GetBytes(withoutKey))));
    }

    [Fact]
    public void The_server_key_settings_are_a_door_for_development_shut_in_production()
    {
        var options = new KeeperOptions { ServerPublicKey = "BK9w6TZFxE6nFNbMfIpULCup2a8xc6w2tUTABjxny7yFmxW0dAEojwC6j6zb5nTlmb1dAx8nwo3qF7RPYGmloRM", ServerPublicKeyId = "42" };
        var production = KeeperServerKeys.From(options, allowPrivateHosts: false);
        Assert.False(production.IsCustom);
        Assert.Equal(7, production.DefaultId);
        Assert.Null(production.Get(42));
        Assert.NotNull(production.Get(18));
        var development = KeeperServerKeys.From(options, allowPrivateHosts: true);
        Assert.True(development.IsCustom);
        Assert.Equal(42, development.DefaultId);
        Assert.Null(development.Get(7));

        var malformed = new KeeperOptionsValidator().Validate(null, new KeeperOptions { ServerPublicKey = "not-a-point", ServerPublicKeyId = "10" });
        Assert.True(malformed.Failed);
        Assert.Contains("Vault__Keeper__ServerPublicKey", malformed.FailureMessage, StringComparison.Ordinal);
        Assert.True(new KeeperOptionsValidator().Validate(null, options).Succeeded);
    }
}
