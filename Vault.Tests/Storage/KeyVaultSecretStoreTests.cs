using System.Diagnostics;
using System.Text.Json.Nodes;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Storage;

/// <summary>The Key Vault secret store through the real SecretClient against the in-process fake of the REST API.</summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class KeyVaultSecretStoreTests : IAsyncLifetime
{
    private FakeKeyVault _vault = null!;
    private KeyVaultSecretStore _store = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _store = new KeyVaultSecretStore(_vault.CreateClient());
    }

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Set_get_overwrite_and_delete()
    {
        Assert.Null(await _store.GetAsync("cred-missing", default));
        await _store.SetAsync("cred-a", "first", default);
        Assert.Equal("first", await _store.GetAsync("cred-a", default));
        await _store.SetAsync("cred-a", "second", default);
        Assert.Equal("second", await _store.GetAsync("cred-a", default));

        await _store.DeleteAsync("cred-a", default);
        Assert.Null(await _store.GetAsync("cred-a", default));
        await _store.DeleteAsync("cred-a", default); // deleting what is gone is fine
    }

    [Fact]
    public async Task Uses_the_challenge_flow_and_sends_the_bearer_token()
    {
        await _store.SetAsync("cred-b", "value", default);
        var requests = _vault.Requests.ToList();
        Assert.False(requests[0].Authorized);
        Assert.Equal(401, requests[0].Status);
        Assert.All(requests.Skip(1), r => Assert.True(r.Authorized));
        Assert.Contains(requests, r => r.Method == "PUT" && r.Path == "/secrets/cred-b" && r.Status == 200);
    }

    [Fact]
    public async Task A_429_is_retried_after_the_time_it_asks_for()
    {
        await _store.SetAsync("cred-c", "value", default); // the challenge is done before the measured call
        _vault.FailNext(429, 1, TimeSpan.FromSeconds(1));
        var watch = Stopwatch.StartNew();
        Assert.Equal("value", await _store.GetAsync("cred-c", default));
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.9), $"retried after {watch.Elapsed}");
        var gets = _vault.Requests.Where(r => r.Method == "GET").ToList();
        Assert.Equal([429, 200], gets.Select(g => g.Status));
    }

    [Fact]
    public async Task A_vault_that_stays_down_surfaces_as_a_backing_service_failure()
    {
        await _store.SetAsync("cred-d", "value", default);
        _vault.FailAlways(true);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => _store.GetAsync("cred-d", default));
        Assert.Equal(503, error.Status);
        Assert.True(StorageFailures.IsBackingServiceFailure(error));
        Assert.Equal(4, _vault.Requests.Count(r => r.Method == "GET")); // the first try and 3 retries
    }
}

/// <summary>The whole service on Key Vault (what goes there and when: <see cref="CredentialLifecycleTests"/>).</summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class KeyVaultEndToEndTests : IAsyncLifetime
{
    private FakeKeyVault _vault = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _host = await VaultTestHost.StartAsync(
            new Dictionary<string, string> { ["Vault:KeyVaultUri"] = _vault.VaultUri.ToString(), ["Vault:AllowLocalSecretStore"] = "false" },
            services => services.AddSingleton<ISecretStore>(new KeyVaultSecretStore(_vault.CreateClient())));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task Key_vault_down_at_connect_is_503_and_leaves_nothing()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        _vault.FailAlways(true);
        try
        {
            var clientId = "user." + Guid.NewGuid();
            _host.Bitwarden.Account(clientId).Items.Add(Login("1", "GitHub", "github.com"));
            var body = new JsonObject { ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m" };
            await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 503, "VAULT_UNAVAILABLE");
        }
        finally
        {
            _vault.FailAlways(false);
        }

        var list = await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Empty(list!["connections"]!.AsArray());
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, "NO_CONNECTIONS");
    }
}
