using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Core.Connections;
using Vault.Core.Resync;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Resync;

/// <summary>
/// The service-wide Bitwarden budget per host and egress address (<see cref="EgressBudgets"/>), taken after each
/// tenant's own: it binds across tenants, grows with the egress addresses, and a tenant over its own budget spends none of it.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class EgressBudgetTests
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:30Z", CultureInfo.InvariantCulture));

    private static Connection Tenant(string accountId, string serverUrl) => new(
        accountId, Vault.Core.Common.Ids.New("conn"), "bitwarden", ConnectionStatus.Active, "label", serverUrl, 0, [],
        DateTimeOffset.UnixEpoch, null, null, "identity-" + accountId);

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task The_per_address_budget_binds_across_tenants_and_is_multiplied_by_the_egress_addresses(int addresses)
    {
        await using var host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:Resync:EgressAddresses"] = addresses.ToString(CultureInfo.InvariantCulture),
            ["Vault:Resync:BitwardenSyncsPerMinutePerEgressAddress"] = "2",
            ["Vault:Resync:BitwardenSyncsPerMinute"] = "1",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        var budgets = host.Services.GetRequiredService<SyncBudgets>();
        var server = "https://bw-" + Guid.NewGuid().ToString("N")[..8] + ".example.com";
        var minuteEnd = DateTimeOffset.Parse("2026-11-24T08:01:00Z", CultureInfo.InvariantCulture);

        // A tenant over its own budget (1 a minute) is refused by it and spends nothing of the shared one.
        var hammering = Tenant("acct-hammer", server);
        Assert.Null(await budgets.TryTakeAsync(hammering, default));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(minuteEnd, await budgets.TryTakeAsync(hammering with { ConnectionId = "conn-again" }, default));
        }

        // 2 a minute per address in all: every tenant has budget of its own left, the host's is what runs out.
        for (var tenant = 1; tenant < 2 * addresses; tenant++)
        {
            Assert.Null(await budgets.TryTakeAsync(Tenant($"acct-{tenant}", server), default));
        }

        Assert.Equal(minuteEnd, await budgets.TryTakeAsync(Tenant("acct-late", server), default));
        Assert.Null(await budgets.TryTakeAsync(Tenant("acct-late", "https://another-" + Guid.NewGuid().ToString("N")[..8] + ".example.com"), default));
        Assert.Equal(2 * addresses, host.Services.GetRequiredService<EgressBudgets>().WindowFor(hammering, _clock.GetUtcNow())!.Limit);

        // The next minute opens a new window.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await budgets.TryTakeAsync(Tenant("acct-late", server), default));
    }

    [Fact]
    public async Task OnePassword_has_no_service_wide_budget_its_limits_are_per_service_account()
    {
        await using var host = await VaultTestHost.StartAsync();
        var egress = host.Services.GetRequiredService<EgressBudgets>();
        Assert.Null(egress.WindowFor(Tenant("acct", "https://acme.1password.com") with { Provider = "1password" }, _clock.GetUtcNow()));
        Assert.Equal(8, egress.WindowFor(Tenant("acct", "https://vault.example.com"), _clock.GetUtcNow())!.Limit);
    }
}
