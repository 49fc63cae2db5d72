using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    /// The measurement behind SecretsIncluded=false: a sync costs 6 + V requests whatever the number of items N;
    /// reading details at sync would cost 6 + V + N. A live secret read costs 7.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(100)]
    public async Task A_sync_costs_six_requests_plus_one_per_vault_whatever_the_item_count(int extraItems)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        for (var i = 0; i < extraItems; i++)
        {
            kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
        }

        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6 + extraItems, snapshot.Items.Count);
        Assert.Equal(6 + kit.Account.Vaults.Count, kit.Server.Requests.Count);
        Assert.Equal(kit.Server.Requests.Count, kit.Provider.LastRequestCount);

        kit.Server.ClearRequests();
        await kit.Provider.ReadItemSecretsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default);
        Assert.Equal(7, kit.Server.Requests.Count);
    }

    [Fact]
    public async Task With_details_at_sync_secrets_and_totp_presence_are_read_for_one_request_per_item()
    {
        await using var kit = await OnePasswordTestKit.StartAsync(readDetailsAtSync: true);
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
