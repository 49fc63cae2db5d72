using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Core.Accounts;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

/// <summary>
/// Metering under load across instances: two hosts on the same tables, a fake clock (rollups only fold minutes sealed
/// two minutes in the past), and many concurrent calls of one account.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ExactMeteringTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T23:57:10Z", CultureInfo.InvariantCulture));
    private VaultTestHost _first = null!;
    private VaultTestHost _second = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string> { ["Vault:RateLimit:PerMinute"] = "100000" };
        _first = await VaultTestHost.StartAsync(settings, services => services.AddSingleton<TimeProvider>(_clock));
        _second = await VaultTestHost.StartAsync(new Dictionary<string, string>(settings) { ["Vault:TablePrefix"] = _first.TablePrefix },
            services => services.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    private async Task<Dictionary<string, long>> UsageAsync(VaultTestHost host, string apiKey, string from, string to)
    {
        var usage = (await HttpAssert.Status(await host.SendAsync(HttpMethod.Get, $"/v1/usage?from={from}&to={to}", apiKey), 200))!;
        return usage["days"]!.AsArray().ToDictionary(d => d!["date"]!.GetValue<string>(), d => d!["calls"]!.GetValue<long>());
    }

    private async Task BurstAsync(string apiKey, int calls)
    {
        var responses = await Task.WhenAll(Enumerable.Range(0, calls)
            .Select(i => (i % 2 == 0 ? _first : _second).SendAsync(HttpMethod.Get, i % 3 == 0 ? "/v1/vault/connections" : "/v1/vault/items", apiKey)));
        Assert.All(responses, r => Assert.True((int)r.StatusCode is 200 or 404, $"unexpected {(int)r.StatusCode}"));
    }

    private Task RollUpBothAsync() => Task.WhenAll(
        _first.Services.GetRequiredService<UsageRollup>().RollUpPendingAsync(CancellationToken.None),
        _second.Services.GetRequiredService<UsageRollup>().RollUpPendingAsync(CancellationToken.None));

    [Fact]
    public async Task Concurrent_calls_on_two_hosts_are_each_counted_once_before_and_after_rollups_across_midnight()
    {
        var (_, apiKey) = await _first.CreateAccountAsync("busy");

        // 23:57: 300 concurrent calls over both hosts, every one on the bill at once (call rows, nothing rolled yet).
        await BurstAsync(apiKey, 300);
        var usage = await UsageAsync(_second, apiKey, "2026-11-24", "2026-11-25");
        Assert.Equal(300, usage["2026-11-24"]);
        var expected24 = 301L; // the usage call itself is billable

        // 23:59:30 another burst, then past midnight (the 23:57 minute is sealed, 23:59 not yet) both hosts roll up at once.
        _clock.Advance(TimeSpan.FromSeconds(140));
        await BurstAsync(apiKey, 200);
        expected24 += 200;
        _clock.Advance(TimeSpan.FromSeconds(60));
        await BurstAsync(apiKey, 100);
        await RollUpBothAsync();
        usage = await UsageAsync(_first, apiKey, "2026-11-24", "2026-11-25");
        Assert.Equal(expected24, usage["2026-11-24"]);
        Assert.Equal(100, usage["2026-11-25"]);

        // An hour later everything of the 24th is sealed: day rows, hour rows and minute rows answer, and agree.
        _clock.Advance(TimeSpan.FromHours(1));
        await RollUpBothAsync();
        await RollUpBothAsync(); // idempotent
        usage = await UsageAsync(_second, apiKey, "2026-11-20", "2026-11-25");
        Assert.Equal(expected24, usage["2026-11-24"]);
        Assert.Equal(101, usage["2026-11-25"]); // and the usage call made at 00:00
        var table = new TableServiceClient(AzuriteStorage.ConnectionString).GetTableClient(_first.TablePrefix + "usage");
        var accountId = (await _first.Services.GetRequiredService<AccountService>().AuthenticateAsync(apiKey, CancellationToken.None))!;
        var dayRow = await table.GetEntityAsync<TableEntity>(accountId, "d|20261124");
        Assert.Equal(expected24, dayRow.Value.GetInt64("Calls"));
        var watermark = await table.GetEntityAsync<TableEntity>(accountId, "w");
        Assert.StartsWith("20261125", watermark.Value.GetString("Through"), StringComparison.Ordinal);

        // One day only, and a range with nothing in it.
        Assert.Equal(expected24, (await UsageAsync(_first, apiKey, "2026-11-24", "2026-11-24")).Single().Value);
        Assert.Empty(await UsageAsync(_first, apiKey, "2026-10-01", "2026-10-30"));
    }

    [Fact]
    public async Task A_retried_count_of_the_same_call_is_counted_once_and_rollups_match_a_model_at_every_step()
    {
        var (_, apiKey) = await _first.CreateAccountAsync("model");
        var accountId = (await _first.Services.GetRequiredService<AccountService>().AuthenticateAsync(apiKey, CancellationToken.None))!;
        var metering = _first.Services.GetRequiredService<Metering>();
        var rollup = _second.Services.GetRequiredService<UsageRollup>();

        // Our own retry of the write (same request id) must not count the call twice.
        await metering.CountAsync(accountId, "GET /v1/vault/items", "req_retried", CancellationToken.None);
        await metering.CountAsync(accountId, "GET /v1/vault/items", "req_retried", CancellationToken.None);
        var model = new SortedDictionary<string, long> { ["2026-11-24"] = 1 };

        var random = new Random(7);
        for (var step = 0; step < 40; step++)
        {
            var calls = random.Next(0, 6);
            var day = _clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            await Task.WhenAll(Enumerable.Range(0, calls).Select(i =>
                metering.CountAsync(accountId, i % 2 == 0 ? "GET /v1/usage" : "POST /v1/runs", $"req_{step}_{i}", CancellationToken.None)));
            model[day] = model.GetValueOrDefault(day) + calls;
            _clock.Advance(TimeSpan.FromMinutes(random.Next(1, 50)));
            if (random.Next(3) > 0)
            {
                await rollup.RollUpAsync(accountId, CancellationToken.None);
            }

            var read = await metering.ReadAsync(accountId, new DateOnly(2026, 11, 20), new DateOnly(2026, 11, 30), CancellationToken.None);
            Assert.Equal(model.Where(m => m.Value > 0).Select(m => (m.Key, m.Value)), read.Select(d => (d.Date, d.Calls)));
            Assert.All(read, d => Assert.Equal(d.Calls, d.ByRoute.Values.Sum()));
        }
    }
}
