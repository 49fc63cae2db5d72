using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core.Domains;
using Vault.Core.Providers;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword;
using Vault.Tests.Infrastructure;
using Vault.Core.Snapshots;

namespace Vault.Tests.OnePassword;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OnePasswordProviderTests
{
    [Fact]
    public async Task A_sync_returns_active_logins_and_password_items_with_websites_from_every_vault_with_their_details()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var d = kit.Data;

        Assert.Equal(kit.Account.Email, snapshot.Label);
        Assert.Equal(
            new[] { d.GitHub, d.Forum, d.Intranet, d.NoWebsite, d.WifiPassword, d.Aws }.Select(i => i.Uuid).Order(),
            snapshot.Items.Select(i => i.ProviderItemId).Order());

        var github = snapshot.Items.Single(i => i.ProviderItemId == d.GitHub.Uuid);
        Assert.Equal(("GitHub", "Personal", d.Personal.Uuid, "octo-alice", "4"), (github.Label, github.VaultName, github.VaultId, github.Username, github.Version));
        Assert.Equal(
            [new ProviderUri("https://github.com/login"), new ProviderUri("https://admin.example.com", UriMatch.Host), new ProviderUri("https://gist.github.com")],
            github.Uris);
        Assert.Equal((StandardData.GitHubPassword, StandardData.GitHubTotp, true), (github.Secrets!.Password, github.Secrets.Totp, github.HasTotp));
        Assert.Equal(new DateTimeOffset(2025, 3, 2, 11, 22, 33, TimeSpan.Zero), github.UpdatedAt);

        // A login with only the overview's single url keeps it (as the SDK's items.get shows it).
        var forum = snapshot.Items.Single(i => i.ProviderItemId == d.Forum.Uuid);
        Assert.Equal([new ProviderUri("forum.example.org/signin")], forum.Uris);
        Assert.Equal(("forum-pw-771", StandardData.BareTotp, true), (forum.Secrets!.Password, forum.Secrets.Totp, forum.HasTotp));
        Assert.Equal(
            [new ProviderUri("https://intranet.example.net/", UriMatch.Never), new ProviderUri("androidapp://com.example.intranet"), new ProviderUri("https://bücher.example/login")],
            snapshot.Items.Single(i => i.ProviderItemId == d.Intranet.Uuid).Uris);
        var wifi = snapshot.Items.Single(i => i.ProviderItemId == d.WifiPassword.Uuid);
        Assert.Equal(((string?)null, "router-pw-3322", false), (wifi.Username, wifi.Secrets!.Password, wifi.HasTotp));
        var aws = snapshot.Items.Single(i => i.ProviderItemId == d.Aws.Uuid);
        Assert.Equal(("Acme Corp", "ops@acme.example", StandardData.AwsPassword, false), (aws.VaultName, aws.Username, aws.Secrets!.Password, aws.HasTotp));
        OnePasswordFailureTests.AssertNoLeak(kit);
    }

    [Fact]
    public async Task An_items_details_are_read_live_with_username_password_one_time_password_and_version()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var d = kit.Data;
        var github = await kit.Provider.ReadItemDetailsAsync(kit.Context(), d.Personal.Uuid, d.GitHub.Uuid, default);
        Assert.Equal(("octo-alice", StandardData.GitHubPassword, StandardData.GitHubTotp, "4"), (github.Username, github.Secrets.Password, github.Secrets.Totp, github.Version));
        var wifi = await kit.Provider.ReadItemDetailsAsync(kit.Context(), d.Personal.Uuid, d.WifiPassword.Uuid, default);
        Assert.Equal(((string?)null, "router-pw-3322", (string?)null), (wifi.Username, wifi.Secrets.Password, wifi.Secrets.Totp));
        var aws = await kit.Provider.ReadItemDetailsAsync(kit.Context(), d.Acme.Uuid, d.Aws.Uuid, default);
        Assert.Equal((StandardData.AwsPassword, (string?)null), (aws.Secrets.Password, aws.Secrets.Totp));
    }

    /// <summary>What the cache tells the provider after a sync: every item's details at the version read.</summary>
    internal static ProviderContext Cached(OnePasswordTestKit kit, params VaultSnapshot[] snapshots)
    {
        IReadOnlyDictionary<string, string> cached = snapshots.SelectMany(s => s.Items).Where(i => i.Secrets is not null)
            .ToDictionary(i => ProviderContext.DetailsKey(i.VaultId, i.ProviderItemId), i => i.Version!);
        return kit.Context() with { CachedDetails = _ => Task.FromResult(cached) };
    }

    /// <summary>
    /// A first sync costs 6 + V + N requests (sign-in, vault list, keysets, overviews, one items.get per login); a resync
    /// in the kept session of an unchanged vault costs 1 + V whatever N; a changed item adds one request; a live read 1.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(100)]
    public async Task Details_are_read_once_and_again_only_for_items_whose_version_changed(int extraItems)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        for (var i = 0; i < extraItems; i++)
        {
            kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
        }

        var vaults = kit.Account.Vaults.Count;
        kit.Server.ClearRequests();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6 + extraItems, first.Items.Count);
        // Every login but the one without a website (which the cache does not keep) has its details read.
        Assert.Equal([kit.Data.NoWebsite.Uuid], first.Items.Where(i => i.Secrets is null).Select(i => i.ProviderItemId));
        Assert.Equal(6 + vaults + first.Items.Count - 1, kit.Server.Requests.Count);
        Assert.Equal(kit.Server.Requests.Count, kit.Provider.LastRequestCount);

        kit.Server.ClearRequests();
        var unchanged = await kit.Provider.ReadVaultAsync(Cached(kit, first), default);
        Assert.Equal(["/api/v1/vaults?attrs=combined-access"], kit.Server.Requests.Take(1).Select(r => r.PathAndQuery));
        Assert.Equal(1 + vaults, kit.Server.Requests.Count);
        Assert.All(unchanged.Items, i => Assert.Null(i.Secrets));

        kit.Data.Forum.SetPassword("forum-pw-NEW");
        kit.Server.ClearRequests();
        var changed = await kit.Provider.ReadVaultAsync(Cached(kit, first), default);
        Assert.Equal(2 + vaults, kit.Server.Requests.Count);
        Assert.EndsWith("/item/" + kit.Data.Forum.Uuid, kit.Server.Requests[^1].PathAndQuery);
        var forum = changed.Items.Single(i => i.ProviderItemId == kit.Data.Forum.Uuid);
        Assert.Equal(("forum-pw-NEW", "5"), (forum.Secrets!.Password, forum.Version));

        kit.Server.ClearRequests();
        await kit.Provider.ReadItemDetailsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default);
        Assert.Single(kit.Server.Requests);
    }

    [Fact]
    public async Task A_vault_larger_than_the_hours_budget_is_listed_whole_and_its_details_filled_oldest_first_over_later_hours()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 30, TimeSpan.Zero));
        await using var kit = await OnePasswordTestKit.StartAsync(clock: clock, readsPerHour: 40);
        var start = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 24; i++)
        {
            // Added newest first, so the server's order is not the order of age.
            var item = kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
            item.UpdatedAt = start.AddDays(-i).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        // A listing after sign-in costs 6 + V; details leave room for two more listings this hour.
        var listing = 6 + kit.Account.Vaults.Count;
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(30, first.Items.Count);
        var read = first.Items.Where(i => i.Secrets is not null).ToList();
        Assert.Equal(40 - (3 * listing), read.Count);
        Assert.Equal(listing + read.Count, kit.Server.Requests.Count);
        var byAge = first.Items.Where(i => i.Uris.Count > 0).OrderBy(i => i.UpdatedAt).ThenBy(i => i.VaultId, StringComparer.Ordinal)
            .ThenBy(i => i.ProviderItemId, StringComparer.Ordinal).ToList();
        Assert.Equal(byAge.Take(read.Count).Select(i => i.ProviderItemId).ToHashSet(), read.Select(i => i.ProviderItemId).ToHashSet());
        Assert.All(first.Items.Where(i => i.Secrets is null), i => Assert.False(i.HasTotp));

        // Later in the same hour a resync (kept session: 1 + V) goes on with the next oldest, leaving room for two more.
        var kept = 1 + kit.Account.Vaults.Count;
        kit.Server.ClearRequests();
        var again = await kit.Provider.ReadVaultAsync(Cached(kit, first), default);
        var againRead = again.Items.Where(i => i.Secrets is not null).Select(i => i.ProviderItemId).ToHashSet();
        Assert.Equal(40 - (2 * kept), listing + read.Count + kit.Server.Requests.Count);
        Assert.Equal(byAge.Skip(read.Count).Take(againRead.Count).Select(i => i.ProviderItemId).ToHashSet(), againRead);

        // The hour is used up to that room: the next sync lists, reads nothing more.
        kit.Server.ClearRequests();
        var full = await kit.Provider.ReadVaultAsync(Cached(kit, first, again), default);
        Assert.Equal(kept, kit.Server.Requests.Count);
        Assert.DoesNotContain(full.Items, i => i.Secrets is not null);

        // The next hour fills the rest.
        clock.Advance(TimeSpan.FromHours(1));
        var next = await kit.Provider.ReadVaultAsync(Cached(kit, first, again), default);
        var nextRead = next.Items.Where(i => i.Secrets is not null).Select(i => i.ProviderItemId).ToHashSet();
        Assert.Equal(byAge.Skip(read.Count + againRead.Count).Select(i => i.ProviderItemId).ToHashSet(), nextRead);
        Assert.Equal(29, read.Count + againRead.Count + nextRead.Count);
    }

    [Fact]
    public async Task Syncs_leave_the_reserved_share_of_the_hour_to_runs_and_a_spent_hour_sends_nothing()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 30, TimeSpan.Zero));
        await using var kit = await OnePasswordTestKit.StartAsync(clock: clock, readsPerHour: 60);
        kit.Options.ReadsKeptForRuns = 10;
        for (var i = 0; i < 40; i++)
        {
            kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
        }

        var listing = 6 + kit.Account.Vaults.Count;
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(60 - 10 - (2 * listing), kit.Server.Requests.Count);
        var pending = first.Items.First(i => i.Secrets is null && i.Uris.Count > 0);
        var liveReads = 0;
        ProviderUnavailableException? refused = null;
        while (refused is null && liveReads < 100)
        {
            try
            {
                await kit.Provider.ReadItemDetailsAsync(kit.Context(), pending.VaultId, pending.ProviderItemId, default);
                liveReads++;
            }
            catch (ProviderUnavailableException ex)
            {
                refused = ex;
            }
        }

        Assert.Equal(10 + (2 * listing), liveReads);
        Assert.Equal(60, kit.Server.Requests.Count);
        Assert.Equal(TimeSpan.FromSeconds(3570), refused!.RetryAfter);
    }

    [Fact]
    public async Task Two_instances_syncing_at_once_share_one_budget()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 30, TimeSpan.Zero));
        await using var kit = await OnePasswordTestKit.StartAsync(clock: clock, readsPerHour: 40);
        for (var i = 0; i < 60; i++)
        {
            kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
        }

        var other = new OnePasswordProvider(kit.Clients, Microsoft.Extensions.Options.Options.Create(new NetworkOptions { AllowPrivateProviderHosts = true }),
            Microsoft.Extensions.Options.Options.Create(kit.Options), new ReadBudget(new Vault.Core.Resync.ProviderBudgetTable(kit.Tables), Microsoft.Extensions.Options.Options.Create(kit.Options), clock),
            kit.LoggerFactory.CreateLogger<OnePasswordProvider>(), clock);
        static async Task<VaultSnapshot?> SyncOrRefused(Task<VaultSnapshot> sync)
        {
            try
            {
                return await sync;
            }
            catch (ProviderUnavailableException)
            {
                return null; // the other took the rest of the hour first
            }
        }

        var results = await Task.WhenAll(SyncOrRefused(kit.Provider.ReadVaultAsync(kit.Context(), default)), SyncOrRefused(other.ReadVaultAsync(kit.Context(), default)));

        // Details are only ever taken within what is left; a sync already past its first check may still list (9 requests).
        Assert.Contains(results, r => r is not null);
        var details = kit.Server.Requests.Count(r => r.PathAndQuery.Contains("/item/", StringComparison.Ordinal));
        Assert.Equal(details, results.Sum(r => r?.Items.Count(i => i.Secrets is not null) ?? 0));
        Assert.InRange(kit.Server.Requests.Count, 1, 40 + 9);
        Assert.True(details > 0);
    }

    [Fact]
    public async Task Overview_batches_are_followed_until_complete()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        for (var i = 0; i < 7; i++)
        {
            kit.Data.Acme.AddLogin($"Site {i}", $"user{i}", $"pw-{i}", [($"https://site{i}.example.com", "website", null)]);
        }

        var whole = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        kit.Server.OverviewBatchSize = 3;
        kit.Server.ClearRequests();
        var batched = await kit.Provider.ReadVaultAsync(Cached(kit, whole), default);

        Assert.Equal(whole.Items.Select(i => (i.ProviderItemId, i.Label, i.Username)), batched.Items.Select(i => (i.ProviderItemId, i.Label, i.Username)));
        var acme = kit.Server.Requests.Where(r => r.PathAndQuery.StartsWith($"/api/v1/vault/{kit.Data.Acme.Uuid}/items/overviews", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, acme.Count); // 8 items in batches of 3
        Assert.Equal("?after=" + kit.Data.Acme.Items[2].Uuid, acme[1].PathAndQuery[acme[1].PathAndQuery.IndexOf('?')..]);
        Assert.Equal(3, kit.Server.Requests.Count(r => r.PathAndQuery.StartsWith($"/api/v1/vault/{kit.Data.Personal.Uuid}/items/overviews", StringComparison.Ordinal)));
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
            kit.Provider.ReadItemDetailsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default));
        Assert.Equal(["/api/v1/vault/" + kit.Data.Personal.Uuid + "/item/" + kit.Data.GitHub.Uuid, "/api/v3/auth/start"],
            kit.Server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task Sessions_are_dropped_after_their_idle_time_or_never_kept_with_zero()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var kit = await OnePasswordTestKit.StartAsync(clock: clock);
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        clock.Advance(TimeSpan.FromMinutes(11));
        kit.Server.ClearRequests();
        await kit.Provider.ReadVaultAsync(Cached(kit, first), default);
        Assert.Equal(6 + kit.Account.Vaults.Count, kit.Server.Requests.Count);

        await using var uncached = await OnePasswordTestKit.StartAsync(sessionIdleTime: TimeSpan.Zero);
        await uncached.Provider.ReadVaultAsync(uncached.Context(), default);
        uncached.Server.ClearRequests();
        await uncached.Provider.ReadItemDetailsAsync(uncached.Context(), uncached.Data.Personal.Uuid, uncached.Data.GitHub.Uuid, default);
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
        services.AddSingleton(new Vault.Core.Storage.Tables(new Azure.Data.Tables.TableServiceClient(Vault.Tests.Infrastructure.AzuriteStorage.ConnectionString),
            Microsoft.Extensions.Options.Options.Create(new Vault.Core.VaultOptions())));
        services.AddSingleton<IProviderBudgetStore, Vault.Core.Resync.ProviderBudgetTable>(); // the host supplies the budget store
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
