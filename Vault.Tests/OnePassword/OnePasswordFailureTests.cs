using Vault.Core.Providers;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>
/// Every way a sign-in or read can fail maps to the seam's exceptions, sends no request twice (the quota is tiny),
/// stops at the first 429, and leaks no part of the token or any secret into messages or logs.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OnePasswordFailureTests
{
    private static async Task<Exception> FailingSync(OnePasswordTestKit kit, string? token = null)
    {
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => kit.Provider.ReadVaultAsync(kit.Context(token), default));
        AssertNoLeak(kit, ex);
        return ex;
    }

    internal static void AssertNoLeak(OnePasswordTestKit kit, Exception? ex = null)
    {
        var text = string.Join("\n", kit.Logs.Lines) + "\n" + ex;
        for (var e = ex; e is not null; e = e.InnerException)
        {
            text += "\n" + e.Message;
        }

        foreach (var secret in kit.Secrets())
        {
            Assert.False(text.Contains(secret, StringComparison.Ordinal), "A secret appeared in an exception or a log line.");
        }
    }

    private static void AssertEachRequestOnce(OnePasswordTestKit kit) =>
        Assert.Equal(kit.Server.Requests.Count, kit.Server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}").Distinct().Count());

    [Fact]
    public async Task A_revoked_service_account_is_rejected_after_one_request()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Account.Revoked = true;
        Assert.IsType<ProviderRejectedCredentialsException>(await FailingSync(kit));
        Assert.Single(kit.Server.Requests);
    }

    [Fact]
    public async Task A_token_for_an_unknown_account_is_rejected()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var stranger = new FakeOnePasswordAccount(null).MintToken(kit.Server.Address);
        Assert.IsType<ProviderRejectedCredentialsException>(await FailingSync(kit, stranger));
        Assert.Single(kit.Server.Requests);
    }

    [Fact]
    public async Task A_wrong_srp_x_is_rejected_at_key_confirmation()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var token = kit.Account.MintToken(tamper: j => j["srpX"] = new string('1', 64));
        Assert.IsType<ProviderRejectedCredentialsException>(await FailingSync(kit, token));
        Assert.Equal(["/api/v3/auth/start", "/api/v2/auth", "/api/v2/auth/confirm-key"], kit.Server.Requests.Select(r => r.PathAndQuery));
    }

    [Fact]
    public async Task A_wrong_unlock_key_is_rejected_when_the_keyset_does_not_open()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var token = kit.Account.MintToken(tamper: j => j["muk"]!["k"] = System.Buffers.Text.Base64Url.EncodeToString(new byte[32]));
        Assert.IsType<ProviderRejectedCredentialsException>(await FailingSync(kit, token));
        Assert.Equal("/api/v2/account/keysets", kit.Server.Requests[^1].PathAndQuery);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Refusal_at_sign_in_lookup_is_a_rejection(int status)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/api/v3/auth/start", Status = status });
        Assert.IsType<ProviderRejectedCredentialsException>(await FailingSync(kit));
        Assert.Single(kit.Server.Requests);
    }

    [Fact]
    public async Task A_401_on_a_data_request_is_a_rejection_and_is_not_retried()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/api/v1/vaults", Status = 401 });
        Assert.IsType<ProviderRejectedCredentialsException>(await FailingSync(kit));
        Assert.Equal(5, kit.Server.Requests.Count);
    }

    [Fact]
    public async Task A_403_on_a_data_request_is_unavailable()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/api/v2/account/keysets", Status = 403 });
        Assert.IsType<ProviderUnavailableException>(await FailingSync(kit));
        AssertEachRequestOnce(kit);
    }

    [Theory]
    [InlineData("/api/v3/auth/start")]
    [InlineData("/api/v2/auth/complete")]
    [InlineData("/api/v2/account/keysets")]
    [InlineData("/items/overviews")]
    public async Task The_first_429_stops_the_sync_with_the_providers_wait(string path)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = path, Status = 429, RetryAfterSeconds = 120 });
        var ex = Assert.IsType<ProviderUnavailableException>(await FailingSync(kit));
        Assert.Equal(TimeSpan.FromSeconds(120), ex.RetryAfter);
        Assert.Contains(path, kit.Server.Requests[^1].PathAndQuery);
        Assert.Single(kit.Server.Requests, r => r.PathAndQuery.Contains(path));
    }

    [Fact]
    public async Task A_429_while_reading_details_keeps_what_was_read_and_nothing_is_sent_until_its_retry_after()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 30, TimeSpan.Zero));
        await using var kit = await OnePasswordTestKit.StartAsync(clock: clock);
        kit.Server.Fail(new FakeFault { PathContains = "/item/", Status = 429, RetryAfterSeconds = 300, Skip = 2, Remaining = 1 });
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6, snapshot.Items.Count);
        Assert.Equal(2, snapshot.Items.Count(i => i.Secrets is not null));
        Assert.Equal(3, kit.Server.Requests.Count(r => r.PathAndQuery.Contains("/item/", StringComparison.Ordinal)));

        // The service account waits its Retry-After: neither a live read nor a sync sends anything meanwhile.
        kit.Server.ClearRequests();
        var pending = snapshot.Items.First(i => i.Secrets is null);
        var live = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            kit.Provider.ReadItemDetailsAsync(kit.Context(), pending.VaultId, pending.ProviderItemId, default));
        Assert.Equal(TimeSpan.FromSeconds(300), live.RetryAfter);
        clock.Advance(TimeSpan.FromSeconds(200));
        var sync = await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.Equal(TimeSpan.FromSeconds(100), sync.RetryAfter);
        Assert.Empty(kit.Server.Requests);

        clock.Advance(TimeSpan.FromSeconds(101));
        var details = await kit.Provider.ReadItemDetailsAsync(kit.Context(), pending.VaultId, pending.ProviderItemId, default);
        Assert.NotNull(details.Secrets.Password);
        AssertNoLeak(kit);
    }

    [Fact]
    public async Task A_server_error_while_reading_details_ends_the_round_but_not_the_sync()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/item/", Status = 503, Skip = 1 });
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(6, snapshot.Items.Count);
        Assert.Single(snapshot.Items, i => i.Secrets is not null);
        Assert.Equal(2, kit.Server.Requests.Count(r => r.PathAndQuery.Contains("/item/", StringComparison.Ordinal)));
        AssertEachRequestOnce(kit);
    }

    [Fact]
    public async Task An_item_gone_between_listing_and_details_stays_pending_and_the_round_goes_on()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/item/", Status = 404, Remaining = 1 });
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(4, snapshot.Items.Count(i => i.Secrets is not null));
        Assert.Equal(5, kit.Server.Requests.Count(r => r.PathAndQuery.Contains("/item/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_429_without_retry_after_still_carries_a_wait()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/api/v1/vaults", Status = 429 });
        var ex = Assert.IsType<ProviderUnavailableException>(await FailingSync(kit));
        Assert.NotNull(ex.RetryAfter);
    }

    [Theory]
    [InlineData("/api/v3/auth/start", 500)]
    [InlineData("/api/v1/vaults", 500)]
    [InlineData("/api/v1/vaults", 502)]
    [InlineData("/api/v2/account/keysets", 503)]
    [InlineData("/items/overviews", 504)]
    [InlineData("/api/v1/vaults", 404)]
    [InlineData("/api/v2/auth", 400)]
    public async Task Server_errors_are_unavailable_and_nothing_is_sent_twice(string path, int status)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = path, Status = status });
        Assert.IsType<ProviderUnavailableException>(await FailingSync(kit));
        AssertEachRequestOnce(kit);
        Assert.Contains(path, kit.Server.Requests[^1].PathAndQuery);
    }

    [Fact]
    public async Task A_slow_answer_times_out_as_unavailable_without_a_retry()
    {
        // The timeouts run on a fake clock: the sign-in never times out however loaded the machine, and the keysets
        // answer (held by the server) times out exactly when the clock is moved past one attempt's timeout.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var attemptTimeout = TimeSpan.FromSeconds(5);
        await using var kit = await OnePasswordTestKit.StartAsync(attemptTimeout: attemptTimeout, clock: clock);
        kit.Server.Fail(new FakeFault { PathContains = "/api/v2/account/keysets", Delay = TimeSpan.FromMinutes(10) });
        var sync = FailingSync(kit);
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            while (!kit.Server.Requests.Any(r => r.PathAndQuery.Contains("keysets", StringComparison.Ordinal)))
            {
                await Task.Delay(10, limit.Token); // until the keysets request is in flight (a guard, not a wait on time)
            }
        }

        // One attempt's timeout, and the call is over: a retry would have needed the clock to move again.
        clock.Advance(attemptTimeout);
        Assert.IsType<ProviderUnavailableException>(await sync.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Single(kit.Server.Requests, r => r.PathAndQuery.Contains("keysets"));
        AssertEachRequestOnce(kit);
    }

    [Theory]
    [InlineData("/api/v2/auth/complete", Corruption.Truncate)]
    [InlineData("/api/v2/auth/complete", Corruption.TagMismatch)]
    [InlineData("/api/v1/vaults", Corruption.Truncate)]
    [InlineData("/api/v1/vaults", Corruption.ShortData)]
    [InlineData("/api/v1/vaults", Corruption.TagMismatch)]
    [InlineData("/api/v2/account/keysets", Corruption.WrongKey)]
    [InlineData("/items/overviews", Corruption.TagMismatch)]
    [InlineData("/items/overviews", Corruption.Garbage)]
    [InlineData("/api/v3/auth/start", Corruption.Garbage)]
    [InlineData("/api/v2/auth/confirm-key", Corruption.ServerProof)]
    public async Task Answers_that_do_not_verify_or_parse_are_unavailable(string path, Corruption corruption)
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = path, Corruption = corruption });
        Assert.IsType<ProviderUnavailableException>(await FailingSync(kit));
        Assert.Contains(path, kit.Server.Requests[^1].PathAndQuery);
        AssertEachRequestOnce(kit);
    }

    [Fact]
    public async Task A_corrupted_item_answer_fails_the_live_read()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        kit.Server.Fail(new FakeFault { PathContains = "/item/", Corruption = Corruption.TagMismatch });
        var ex = await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            kit.Provider.ReadItemDetailsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.GitHub.Uuid, default));
        AssertNoLeak(kit, ex);
    }

    [Fact]
    public async Task An_unknown_or_archived_item_is_unavailable_not_a_rejection()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            kit.Provider.ReadItemDetailsAsync(kit.Context(), kit.Data.Personal.Uuid, "aaaaaaaaaaaaaaaaaaaaaaaaaa", default));
        await Assert.ThrowsAsync<ProviderUnavailableException>(() =>
            kit.Provider.ReadItemDetailsAsync(kit.Context(), kit.Data.Personal.Uuid, kit.Data.Archived.Uuid, default));
    }

    [Fact]
    public async Task Successful_reads_log_no_secret_either()
    {
        await using var kit = await OnePasswordTestKit.StartAsync();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        foreach (var item in snapshot.Items)
        {
            var details = await kit.Provider.ReadItemDetailsAsync(kit.Context(), item.VaultId, item.ProviderItemId, default);
            Assert.DoesNotContain("gh-S3cret", details.ToString());
        }

        Assert.NotEmpty(kit.Logs.Lines);
        AssertNoLeak(kit);
        Assert.DoesNotContain(kit.Token, snapshot.ToString());
        Assert.DoesNotContain(kit.Token, kit.Context().ToString());
    }
}
