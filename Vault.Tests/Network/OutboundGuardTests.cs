using Vault.Core.Providers;
using System.Net;
using Microsoft.Extensions.Options;
using Vault.Core.Errors;
using Vault.Core.Providers.Network;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Network;

/// <summary>Provider addresses from user input must not reach our own network, judged on the address connected to.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OutboundGuardTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.20.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("168.63.129.16")]
    public void Private_loopback_link_local_and_metadata_addresses_are_forbidden(string address) =>
        Assert.True(ForbiddenAddresses.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("140.82.112.3")]
    [InlineData("2606:4700::6810:84e5")]
    public void Public_addresses_are_allowed(string address) => Assert.False(ForbiddenAddresses.IsForbidden(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://vault.example.com")]
    [InlineData("https://169.254.169.254")]
    [InlineData("https://localhost:8443")]
    [InlineData("https://[::1]/")]
    [InlineData("https://user:pw@vault.example.com")]
    [InlineData("https://vault.example.com/?x=1")]
    [InlineData("ftp://vault.example.com")]
    [InlineData("vault.example.com")]
    public void Server_urls_are_checked_before_any_call(string url) =>
        Assert.Throws<InvalidCommandException>(() => ProviderEndpoint.ParseBaseUrl(nameof(ConnectInput.ServerUrl), url, allowPrivateHosts: false));

    [Fact]
    public void A_public_https_url_is_accepted_without_its_trailing_slash() =>
        Assert.Equal("https://vault.example.com/bw", ProviderEndpoint.ParseBaseUrl(nameof(ConnectInput.ServerUrl), "https://vault.example.com/bw/", false).ToString());

    [Fact]
    public async Task A_name_that_resolves_to_loopback_is_refused_at_connect_time()
    {
        // "localhost" passes no literal check in the handler itself: the address it resolves to is what is refused.
        await using var server = await FakeBitwardenServer.StartAsync();
        var port = new Uri(server.BaseUrl).Port;
        using var clients = new ProviderHttpClients(Options.Create(new NetworkOptions { AllowPrivateProviderHosts = false }));
        using var http = clients.Create();
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://localhost:{port}/api/sync"));
        Assert.IsType<InvalidCommandException>(ProviderHttpErrors.Translate(error, nameof(ConnectInput.ServerUrl)));
        Assert.Equal(0, server.SyncRequests);

        using var allowed = new ProviderHttpClients(Options.Create(new NetworkOptions { AllowPrivateProviderHosts = true }));
        var response = await allowed.Create().GetAsync($"http://localhost:{port}/api/sync");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_private_ca_is_trusted_for_its_server_and_an_unknown_one_is_not()
    {
        await using var server = await FakeBitwardenServer.StartAsync(https: true);
        using var clients = new ProviderHttpClients(Options.Create(new NetworkOptions { AllowPrivateProviderHosts = true }));
        await Assert.ThrowsAsync<HttpRequestException>(() => clients.Create().GetAsync(server.BaseUrl + "/api/sync"));
        await using var other = await FakeBitwardenServer.StartAsync(https: true);
        await Assert.ThrowsAsync<HttpRequestException>(() => clients.Create(other.CaPem).GetAsync(server.BaseUrl + "/api/sync"));
        var response = await clients.Create(server.CaPem).GetAsync(server.BaseUrl + "/api/sync");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
