using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vault.Core;
using Vault.Core.Accounts;
using Vault.Core.Errors;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Hostile;

/// <summary>
/// Guessing keys and tokens is throttled per client address, before any storage look-up; the account rate limiter
/// refuses (503) rather than letting calls through when its storage fails.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class AuthThrottleTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-07T10:00:05Z", System.Globalization.CultureInfo.InvariantCulture));
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(new Dictionary<string, string>
    {
        ["Vault:AuthThrottle:FailuresPerMinute"] = "3",
        ["Vault:AuthThrottle:TrustForwardedFor"] = "true",
    }, services => services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<HttpResponseMessage> ListAsync(string apiKey, string from) =>
        _host.SendRawAsync(HttpMethod.Get, "/v1/vault/connections", apiKey, null, new Dictionary<string, string> { ["X-Forwarded-For"] = from + ", 10.0.0.1" });

    [Fact]
    public async Task An_address_that_keeps_guessing_api_keys_is_answered_429_even_with_a_right_key_until_the_minute_turns()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            await HttpAssert.Error(await ListAsync("vk_guess" + i, "203.0.113.7"), 401, ErrorCodes.InvalidApiKey);
        }

        var refused = await ListAsync(apiKey, "203.0.113.7");
        await HttpAssert.Error(refused, 429, ErrorCodes.RateLimitExceeded);
        Assert.Equal(TimeSpan.FromSeconds(55), refused.Headers.RetryAfter?.Delta);

        // Another client address is not affected; the guesser may try again once the minute turns.
        await HttpAssert.Status(await ListAsync(apiKey, "198.51.100.9"), 200);
        _clock.Advance(TimeSpan.FromSeconds(55));
        await HttpAssert.Status(await ListAsync(apiKey, "203.0.113.7"), 200);
    }

    [Fact]
    public async Task Wrong_run_tokens_and_admin_keys_count_as_failed_attempts_too()
    {
        async Task<HttpResponseMessage> RunToken(string from)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/runs/run-aaaaaaaaaaaaaaaaaaaaaaaaaa/credentials");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "rt_guess");
            request.Headers.Add("X-Forwarded-For", from);
            return await _host.Client.SendAsync(request);
        }

        await HttpAssert.Error(await RunToken("192.0.2.1"), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await RunToken("192.0.2.1"), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await _host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts", null, "{\"name\":\"x\"}",
            new Dictionary<string, string> { ["X-Admin-Key"] = "wrong", ["X-Forwarded-For"] = "192.0.2.1" }), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await RunToken("192.0.2.1"), 429, ErrorCodes.RateLimitExceeded);
        await HttpAssert.Error(await _host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts", null, "{\"name\":\"x\"}",
            new Dictionary<string, string> { ["X-Admin-Key"] = VaultTestHost.AdminKey, ["X-Forwarded-For"] = "192.0.2.1" }), 429, ErrorCodes.RateLimitExceeded);

        // A missing key is not a guess, and public routes are never throttled.
        await HttpAssert.Status(await _host.SendRawAsync(HttpMethod.Get, "/v1/health", null, null, new Dictionary<string, string> { ["X-Forwarded-For"] = "192.0.2.1" }), 200);
    }

    [Fact]
    public async Task Without_a_trusted_front_end_a_caller_cannot_pick_its_own_address()
    {
        await using var direct = await VaultTestHost.StartAsync(new Dictionary<string, string> { ["Vault:AuthThrottle:FailuresPerMinute"] = "3" });
        var (_, apiKey) = await direct.CreateAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            await HttpAssert.Error(await direct.SendRawAsync(HttpMethod.Get, "/v1/vault/connections", "vk_guess", null,
                new Dictionary<string, string> { ["X-Forwarded-For"] = $"203.0.113.{i}" }), 401, ErrorCodes.InvalidApiKey);
        }

        // Each "address" was the same socket: the fourth call is refused whatever it claims.
        await HttpAssert.Error(await direct.SendRawAsync(HttpMethod.Get, "/v1/vault/connections", apiKey, null,
            new Dictionary<string, string> { ["X-Forwarded-For"] = "198.51.100.1" }), 429, ErrorCodes.RateLimitExceeded);
    }

    [Fact]
    public async Task The_account_rate_limiter_fails_closed_when_its_storage_fails()
    {
        await using var broken = await VaultTestHost.StartAsync(configureServices: services => services.AddSingleton(sp =>
            new RateWindowCounter(new Tables(new TableServiceClient(new Uri("http://127.0.0.1:1"), new TableSharedKeyCredential("devstoreaccount1", Convert.ToBase64String(new byte[64])),
                new TableClientOptions { Retry = { MaxRetries = 0, NetworkTimeout = TimeSpan.FromSeconds(2) } }), sp.GetRequiredService<IOptions<VaultOptions>>()))));
        var (_, apiKey) = await broken.CreateAccountAsync();
        var answer = await broken.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey);
        await HttpAssert.Error(answer, 503, ErrorCodes.VaultUnavailable);
    }
}
