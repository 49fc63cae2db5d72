using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core.Domains;
using Vault.Core.Providers;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword;

namespace Vault.Tests.OnePassword;

public sealed class OnePasswordProviderTests
{
    [Fact]
    public async Task A_sync_returns_active_logins_and_password_items_with_websites_from_every_vault()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var d = kit.Data;

        Assert.False(snapshot.SecretsIncluded);
        Assert.Equal(kit.Account.Email, snapshot.Label);
        Assert.Equal(
            new[] { d.GitHub, d.Forum, d.Intranet, d.NoWebsite, d.WifiPassword, d.Aws }.Select(i => i.Uuid).Order(),
            snapshot.Items.Select(i => i.ProviderItemId).Order());

        var github = snapshot.Items.Single(i => i.ProviderItemId == d.GitHub.Uuid);
        Assert.Equal(("GitHub", "Personal", d.Personal.Uuid, "octo-alice"), (github.Label, github.VaultName, github.VaultId, github.Username));
        Assert.Equal(
            [new ProviderUri("https://github.com/login"), new ProviderUri("https://admin.example.com", UriMatch.Host), new ProviderUri("https://gist.github.com")],
            github.Uris);
        Assert.Null(github.Secrets);
        Assert.Equal(new DateTimeOffset(2025, 3, 2, 11, 22, 33, TimeSpan.Zero), github.UpdatedAt);

        // A login with only the overview's single url keeps it (as the SDK's items.get shows it).
        Assert.Equal([new ProviderUri("forum.example.org/signin")], snapshot.Items.Single(i => i.ProviderItemId == d.Forum.Uuid).Uris);
        Assert.Equal(
            [new ProviderUri("https://intranet.example.net/", UriMatch.Never), new ProviderUri("androidapp://com.example.intranet"), new ProviderUri("https://bücher.example/login")],
            snapshot.Items.Single(i => i.ProviderItemId == d.Intranet.Uuid).Uris);
        var wifi = snapshot.Items.Single(i => i.ProviderItemId == d.WifiPassword.Uuid);
        Assert.Null(wifi.Username);
        var aws = snapshot.Items.Single(i => i.ProviderItemId == d.Aws.Uuid);
        Assert.Equal(("Acme Corp", "ops@acme.example"), (aws.VaultName, aws.Username));
    }

    [Fact]
    public async Task Secrets_are_read_live_per_item_with_password_and_one_time_password()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var d = kit.Data;
        var github = await kit.Provider.ReadItemSecretsAsync(kit.Context(), d.Personal.Uuid, d.GitHub.Uuid, default);
        Assert.Equal((StandardData.GitHubPassword, StandardData.GitHubTotp), (github.Password, github.Totp));
        var forum = await kit.Provider.ReadItemSecretsAsync(kit.Context(), d.Personal.Uuid, d.Forum.Uuid, default);
        Assert.Equal(("forum-pw-771", StandardData.BareTotp), (forum.Password, forum.Totp));
        var wifi = await kit.Provider.ReadItemSecretsAsync(kit.Context(), d.Personal.Uuid, d.WifiPassword.Uuid, default);
        Assert.Equal(("router-pw-3322", (string?)null), (wifi.Password, wifi.Totp));
        var aws = await kit.Provider.ReadItemSecretsAsync(kit.Context(), d.Acme.Uuid, d.Aws.Uuid, default);
        Assert.Equal((StandardData.AwsPassword, (string?)null), (aws.Password, aws.Totp));
    }

    /// <summary>
    /// The measurement behind SecretsIncluded=false: a sync costs 6 + V requests whatever the number of items N
    /// (reading details at sync would cost 6 + V + N); while the session is kept, a further sync costs 1 + V and a
    /// live secret read 1. A live read in a fresh session costs 7.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(100)]
    public async Task Request_counts_per_sync_and_per_secret_read_do_not_grow_with_the_item_count(int extraItems)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        for (var i = 0; i < extraItems; i++)
        {
            kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
        }

        var vaults = kit.Account.Vaults.Count;
        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6 + extraItems, snapshot.Items.Count);
        Assert.Equal(6 + vaults, kit.Server.Requests.Count);
        Assert.Equal(kit.Server.Requests.Count, kit.Provider.LastRequestCount);

        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(["/api/v1/vaults?attrs=combined-access"], kit.Server.Requests.Take(1).Select(r => r.PathAndQuery));
        Assert.Equal(1 + vaults, kit.Server.Requests.Count);

        kit.Server.ClearRequests();
        await kit.Provider.ReadItemSecretsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default);
        Assert.Single(kit.Server.Requests);
    }

    [Fact]
    public async Task A_kept_session_that_expired_is_replaced_by_one_new_sign_in()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Server.ExpireSessions();
        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6, snapshot.Items.Count);
        Assert.Equal(["/api/v1/vaults?attrs=combined-access", "/api/v3/auth/start", "/api/v2/auth", "/api/v2/auth/confirm-key",
            "/api/v2/auth/complete", "/api/v1/vaults?attrs=combined-access", "/api/v2/account/keysets"],
            kit.Server.Requests.Take(7).Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_token_revoked_while_its_session_is_kept_is_rejected_after_one_new_sign_in_attempt()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Account.Revoked = true;
        kit.Server.ClearRequests();
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() =>
            kit.Provider.ReadItemSecretsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default));
        Assert.Equal(["/api/v1/vault/" + kit.Data.Personal.Uuid + "/item/" + kit.Data.GitHub.Uuid, "/api/v3/auth/start"],
            kit.Server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task Sessions_are_dropped_after_their_idle_time_or_never_kept_with_zero()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var kit = await OnePasswordTestKit.StartAsync(clock: clock);
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        clock.Advance(TimeSpan.FromMinutes(11));
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6 + kit.Account.Vaults.Count, kit.Server.Requests.Count);

        await using var uncached = await OnePasswordTestKit.StartAsync(sessionIdleTime: TimeSpan.Zero);
        await uncached.Provider.ReadVaultAsync(uncached.Context(), default);
        uncached.Server.ClearRequests();
        await uncached.Provider.ReadItemSecretsAsync(uncached.Context(), uncached.Data.Personal.Uuid, uncached.Data.GitHub.Uuid, default);
        Assert.Equal(7, uncached.Server.Requests.Count);
    }

    [Fact]
    public async Task A_failure_drops_the_kept_session()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Server.Fail(new Vault.Testing.OnePassword.FakeFault { PathContains = "/items/overviews", Status = 500, Remaining = 1 });
        await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal("/api/v3/auth/start", kit.Server.Requests[0].PathAndQuery);
    }

    [Fact]
    public async Task With_details_at_sync_secrets_and_totp_presence_are_read_for_one_request_per_item()
    {
        await using var kit = await OnePasswordTestKit.StartAsync(readDetailsAtSync: true);
        kit.Data.Acme.AddLogin("Second", "bob", "pw-second", [("https://second.example.com", null, null)]);
        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.True(snapshot.SecretsIncluded);
        Assert.Equal(6 + kit.Account.Vaults.Count + snapshot.Items.Count, kit.Server.Requests.Count);
        var github = snapshot.Items.Single(i => i.ProviderItemId == kit.Data.GitHub.Uuid);
        Assert.Equal(("octo-alice", StandardData.GitHubPassword, StandardData.GitHubTotp, true),
            (github.Username, github.Secrets!.Password, github.Secrets.Totp, github.HasTotp));
        var aws = snapshot.Items.Single(i => i.ProviderItemId == kit.Data.Aws.Uuid);
        Assert.Equal((StandardData.AwsPassword, false), (aws.Secrets!.Password, aws.HasTotp));
        Assert.Equal("router-pw-3322", snapshot.Items.Single(i => i.ProviderItemId == kit.Data.WifiPassword.Uuid).Secrets!.Password);
        OnePasswordFailureTests.AssertNoLeak(kit);
    }

    [Fact]
    public async Task An_unregistered_device_is_registered_once_like_the_sdk_does()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.DeviceStatus = "device-not-registered";
        await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(["/api/v3/auth/start", "/api/v1/device", "/api/v3/auth/start", "/api/v2/auth"],
            kit.Server.Requests.Take(4).Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_vault_list_without_access_records_is_completed_per_vault()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.ListWithoutAccess = true;
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6, snapshot.Items.Count);
        Assert.Equal(3, kit.Server.Requests.Count(r => r.PathAndQuery.StartsWith("/api/v3/vault/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_account_without_vaults_gives_an_empty_snapshot()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var lonely = kit.Server.CreateAccount();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(lonely.MintToken()), default);
        Assert.Empty(snapshot.Items);
    }

    [Fact]
    public void AddOnePasswordProvider_registers_a_singleton_vault_provider()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<NetworkOptions>();
        services.AddSingleton<ProviderHttpClients>();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddOnePasswordProvider();
        using var provider = services.BuildServiceProvider();
        var first = provider.GetServices<IVaultProvider>().Single();
        Assert.Equal("1password", first.Kind);
        Assert.Same(first, provider.GetServices<IVaultProvider>().Single());
        Assert.IsType<OnePasswordProvider>(first);
    }
}
