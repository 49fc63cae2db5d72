using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class MeteringTests : ApiTestBase
{
    protected override FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-11-24T23:59:50Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Concurrent_calls_are_each_counted_once_per_route()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var calls = Enumerable.Range(0, 40).Select(i => i % 2 == 0
            ? Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey)
            : Host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey));
        var responses = await Task.WhenAll(calls);
        Assert.Equal(20, responses.Count(r => (int)r.StatusCode == 200));
        Assert.Equal(20, responses.Count(r => (int)r.StatusCode == 404));

        // Unauthenticated calls and health are never billed.
        await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", "vk_unknown");
        await Host.SendAsync(HttpMethod.Get, "/v1/health", apiKey);

        var usage = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/usage", apiKey), 200))!;
        var day = usage["days"]!.AsArray().Single()!;
        Assert.Equal("2026-11-24", day["date"]!.GetValue<string>());
        Assert.Equal(40, day["calls"]!.GetValue<long>());
        Assert.Equal(20, day["byRoute"]!["GET /v1/vault/connections"]!.GetValue<long>());
        Assert.Equal(20, day["byRoute"]!["GET /v1/vault/items"]!.GetValue<long>());
    }

    [Fact]
    public async Task Usage_range_is_validated()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        Assert.Empty((await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/usage?from=2020-01-01&to=2020-01-31", apiKey), 200))!["days"]!.AsArray());
        foreach (var bad in new[] { "from=2020-13-01", "from=yesterday", "from=2020-02-01&to=2020-01-01", "from=2020-01-01&to=2022-01-01" })
        {
            await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/usage?" + bad, apiKey), 400, "INVALID_INPUT");
        }
    }
}

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class RateLimitTests : ApiTestBase
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Vault:RateLimit:PerMinute"] = "5" };

    protected override FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-11-24T08:00:20Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Over_the_rate_is_429_with_retry_after_and_not_billed_and_per_account()
    {
        var (_, apiKey) = await Host.CreateAccountAsync("busy");
        var (_, other) = await Host.CreateAccountAsync("quiet");
        for (var i = 0; i < 5; i++)
        {
            await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        }

        var limited = await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal(TimeSpan.FromSeconds(40), limited.Headers.RetryAfter!.Delta); // windows are clock minutes
        await HttpAssert.Error(limited, 429, Vault.Core.Errors.ErrorCodes.RateLimitExceeded);

        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", other), 200);
        var metering = (Vault.Core.Accounts.Metering)Host.Services.GetService(typeof(Vault.Core.Accounts.Metering))!;
        var accountService = (Vault.Core.Accounts.AccountService)Host.Services.GetService(typeof(Vault.Core.Accounts.AccountService))!;
        var accountId = await accountService.AuthenticateAsync(apiKey, CancellationToken.None);
        var today = new DateOnly(2026, 11, 24);
        var days = await metering.ReadAsync(accountId!, today, today, CancellationToken.None);
        Assert.Equal(5, days.Single().Calls);
    }
}

/// <summary>The run credential route is called with a run token, not the key, and still spends the account's rate.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class RunCredentialRateLimitTests : ApiTestBase
{
    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Vault:RateLimit:PerMinute"] = "5" };

    protected override FakeTimeProvider Clock { get; } = new(DateTimeOffset.Parse("2026-11-24T08:00:20Z", System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Credential_reads_count_against_the_account_rate_and_a_refused_one_is_neither_audited_nor_billed()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(), ScriptedItems.Login("gh", "GitHub", "https://github.com", password: "gh-password"));
        var run = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new System.Text.Json.Nodes.JsonObject { ["use_vault"] = true }), 201))!;
        async Task<HttpResponseMessage> ReadAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials?domain=github.com");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            return await Host.Client.SendAsync(request);
        }

        // Connect and create-run spent 2 of the 5; three reads pass, the fourth is refused until the minute turns.
        for (var i = 0; i < 3; i++)
        {
            await HttpAssert.Status(await ReadAsync(), 200);
        }

        var refused = await ReadAsync();
        Assert.Equal(TimeSpan.FromSeconds(40), refused.Headers.RetryAfter?.Delta);
        await HttpAssert.Error(refused, 429, Vault.Core.Errors.ErrorCodes.RateLimitExceeded);

        var audit = await ((Vault.Core.Runs.AuditLog)Host.Services.GetService(typeof(Vault.Core.Runs.AuditLog))!).ReadPageAsync(run["runId"]!.GetValue<string>(), 100, null, CancellationToken.None);
        Assert.Equal(3, audit.Entries.Count);
        var metering = (Vault.Core.Accounts.Metering)Host.Services.GetService(typeof(Vault.Core.Accounts.Metering))!;
        var today = new DateOnly(2026, 11, 24);
        Assert.Equal(3, (await metering.ReadAsync(accountId, today, today, CancellationToken.None)).Single().ByRoute["GET /v1/runs/{runId}/credentials"]);

        Clock.Advance(TimeSpan.FromSeconds(40));
        await HttpAssert.Status(await ReadAsync(), 200);
    }
}

/// <summary>Two instances (two hosts on the same storage) share each account's rate: the limit holds for the service, not per instance.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class SharedRateLimitTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:20Z", System.Globalization.CultureInfo.InvariantCulture));
    private VaultTestHost _first = null!;
    private VaultTestHost _second = null!;

    public async Task InitializeAsync()
    {
        _first = await VaultTestHost.StartAsync(new Dictionary<string, string> { ["Vault:RateLimit:PerMinute"] = "40" },
            services => services.AddSingleton<TimeProvider>(_clock));
        _second = await VaultTestHost.StartAsync(
            new Dictionary<string, string> { ["Vault:RateLimit:PerMinute"] = "40", ["Vault:TablePrefix"] = _first.TablePrefix },
            services => services.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task The_limit_holds_across_instances_and_reopens_when_the_minute_turns()
    {
        var (_, apiKey) = await _first.CreateAccountAsync("busy");
        var (_, quiet) = await _first.CreateAccountAsync("quiet");

        // 60 concurrent calls spread over both instances: exactly 40 pass, whichever instance they reach.
        var responses = await Task.WhenAll(Enumerable.Range(0, 60)
            .Select(i => (i % 2 == 0 ? _first : _second).SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey)));
        Assert.Equal(40, responses.Count(r => (int)r.StatusCode == 200));
        var refused = responses.Where(r => (int)r.StatusCode == 429).ToList();
        Assert.Equal(20, refused.Count);
        Assert.All(refused, r => Assert.Equal(TimeSpan.FromSeconds(40), r.Headers.RetryAfter?.Delta));
        await HttpAssert.Error(refused[0], 429, "RATE_LIMIT_EXCEEDED");
        await HttpAssert.Status(await _second.SendAsync(HttpMethod.Get, "/v1/vault/connections", quiet), 200);

        _clock.Advance(TimeSpan.FromSeconds(40));
        await HttpAssert.Status(await _second.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        await HttpAssert.Status(await _first.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);

        // Refused calls are not billed: 40 in the first minute and 2 in the next.
        var usage = (await HttpAssert.Status(await _first.SendAsync(HttpMethod.Get, "/v1/usage?from=2026-11-24&to=2026-11-24", apiKey), 200))!;
        Assert.Equal(42, usage["days"]!.AsArray().Single()!["byRoute"]!["GET /v1/vault/connections"]!.GetValue<long>());
    }
}
