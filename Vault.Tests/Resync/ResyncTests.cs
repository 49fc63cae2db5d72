using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Core.Connections;
using Vault.Core.Resync;
using Vault.Functions.Hosting;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;
using Vault.Core.Connections.Sync;

namespace Vault.Tests.Resync;

/// <summary>
/// Background resync on Azurite: real Table Storage and Storage queues, the standalone queue pump. An interval of zero
/// makes every connection due at once, so no test waits for time to pass; retries wait on the queue's own visibility
/// timeouts (Azurite's clock), which the tests poll for. Timing of due selection is in <see cref="ResyncScheduleTests"/>.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ResyncTests : IAsyncLifetime
{
    private VaultTestHost _host = null!;

    private static readonly Dictionary<string, string> FastRetries = new()
    {
        ["Vault:ResyncInterval"] = "00:00:00",
        ["Vault:Resync:RetryBaseDelay"] = "00:00:00.050",
        ["Vault:Resync:BitwardenSyncsPerMinute"] = "100",
        ["Vault:SyncLeaseWait"] = "00:00:10",
    };

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(FastRetries);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    private async Task<(string AccountId, string ConnectionId, ScriptedAccount Vault)> ConnectAsync()
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        var vault = _host.Bitwarden.Account(clientId);
        vault.Items.Add(Login("1", "GitHub", "github.com"));
        var response = await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new System.Text.Json.Nodes.JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m",
        });
        var connection = (await HttpAssert.Status(response, 201))!;
        return (accountId, connection["connectionId"]!.GetValue<string>(), vault);
    }

    private async Task<int> PoisonCountAsync()
    {
        var poison = await Get<ResyncQueue>().PoisonAsync();
        return (await poison.PeekMessagesAsync(32)).Value.Length;
    }

    [Fact]
    public async Task Two_concurrent_workers_sync_a_connection_once()
    {
        var (accountId, connectionId, vault) = await ConnectAsync();
        vault.Delay = TimeSpan.FromMilliseconds(800);
        var reads = vault.Reads;
        var worker = Get<ResyncWorker>();
        var message = new ResyncMessage(accountId, connectionId);

        var outcomes = await Task.WhenAll(worker.ProcessAsync(message, 1, default), worker.ProcessAsync(message, 1, default));

        Assert.Equal(reads + 1, vault.Reads);
        Assert.All(outcomes, o => Assert.Equal(ResyncOutcome.Synced, o));
    }

    [Fact]
    public async Task Transient_failures_retry_through_the_queue_then_land_in_poison()
    {
        var (accountId, connectionId, vault) = await ConnectAsync();
        vault.Mode = ScriptedMode.Unavailable;
        var reads = vault.Reads;
        await Get<ResyncQueue>().SendAsync(new ResyncMessage(accountId, connectionId), null, default);
        var pump = Get<StandaloneResync>();

        // Polls until the queue has moved the message to poison; the limit only turns a hang into a failure.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await PoisonCountAsync() == 0 && !limit.IsCancellationRequested)
        {
            await pump.PumpOnceAsync(default);
            await Task.Delay(50);
        }

        Assert.Equal(1, await PoisonCountAsync());
        Assert.Equal(reads + 5, vault.Reads);
        var connection = await Get<ConnectionStore>().GetAsync(accountId, connectionId, default);
        Assert.Equal("active", connection!.Status);
        Assert.Contains("gave up after 5 tries", connection.LastError!.Message);
        Assert.Equal(["GitHub"], (await Get<Vault.Core.Items.ItemStore>().ListAllAsync(accountId, default)).Select(i => i.Data.Label));
    }

    [Fact]
    public async Task Rejected_credentials_mark_reconnect_and_stop_trying()
    {
        var (accountId, connectionId, vault) = await ConnectAsync();
        vault.Mode = ScriptedMode.RejectCredentials;
        var worker = Get<ResyncWorker>();
        Assert.Equal(ResyncOutcome.ReconnectRequired, await worker.ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default));
        var reads = vault.Reads;
        Assert.Equal(ResyncOutcome.SkippedReconnectRequired, await worker.ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default));
        Assert.Equal(reads, vault.Reads);
        await Get<ResyncPlanner>().EnqueueDueAsync(default);
        var queued = (await (await Get<ResyncQueue>().QueueAsync()).PeekMessagesAsync(32)).Value;
        Assert.DoesNotContain(queued, m => m.Body.ToString().Contains(connectionId, StringComparison.Ordinal));
        Assert.Equal("reconnect_required", (await Get<ConnectionStore>().GetAsync(accountId, connectionId, default))!.Status);
    }

    [Fact]
    public async Task A_deleted_connection_is_skipped_quietly()
    {
        var (accountId, connectionId, vault) = await ConnectAsync();
        await Get<ConnectionService>().DeleteAsync(accountId, connectionId, default);
        var reads = vault.Reads;
        Assert.Equal(ResyncOutcome.SkippedDeleted, await Get<ResyncWorker>().ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default));
        Assert.Equal(reads, vault.Reads);
    }

    [Fact]
    public async Task Provider_retry_after_defers_without_spending_a_try()
    {
        var (accountId, connectionId, vault) = await ConnectAsync();
        vault.Mode = ScriptedMode.Throttled;
        var queue = await Get<ResyncQueue>().QueueAsync();
        var before = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        Assert.Equal(ResyncOutcome.Deferred, await Get<ResyncWorker>().ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default));
        Assert.Equal(before + 1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value); // not visible before the provider's 42 s
        var connection = await Get<ConnectionStore>().GetAsync(accountId, connectionId, default);
        Assert.Equal("active", connection!.Status);
        Assert.Equal("VAULT_UNAVAILABLE", connection.LastError!.Code);
    }
}

/// <summary>Due selection, jitter and budgets with a controllable clock.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ResyncScheduleTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(
        new Dictionary<string, string> { ["Vault:ResyncInterval"] = "06:00:00", ["Vault:Resync:BitwardenSyncsPerMinute"] = "1" },
        services => services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    [Fact]
    public async Task Only_connections_past_their_interval_are_enqueued_once_each()
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var ids = new List<string>();
        foreach (var clientId in new[] { "user." + Guid.NewGuid(), "user." + Guid.NewGuid() })
        {
            _host.Bitwarden.Account(clientId).Items.Add(Login("1", "GitHub", "github.com"));
            var response = await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new System.Text.Json.Nodes.JsonObject
            {
                ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m",
            });
            ids.Add((await HttpAssert.Status(response, 201))!["connectionId"]!.GetValue<string>());
        }

        var planner = Get<ResyncPlanner>();
        var queue = await Get<ResyncQueue>().QueueAsync();
        _clock.Advance(TimeSpan.FromHours(5));
        Assert.Equal(0, await planner.EnqueueDueAsync(default));

        _clock.Advance(TimeSpan.FromHours(2.6)); // 7.6 h: past 6 h × 1.25, the largest jitter
        Assert.Equal(2, await planner.EnqueueDueAsync(default));
        var messages = (await queue.ReceiveMessagesAsync(32)).Value.Select(m => ResyncQueue.Parse(m.Body.ToString())!).ToList();
        Assert.Equal(ids.Order(), messages.Select(m => m.ConnectionId).Order());
        Assert.All(messages, m => Assert.Equal(accountId, m.AccountId));

        // The budget allows one Bitwarden sync a minute: the second is put off to the next minute.
        var worker = Get<ResyncWorker>();
        var outcomes = new List<ResyncOutcome>();
        foreach (var message in messages)
        {
            outcomes.Add(await worker.ProcessAsync(message, 1, default));
        }

        // One Bitwarden sync a minute per user: two users, two budgets, both sync.
        Assert.Equal([ResyncOutcome.Synced, ResyncOutcome.Synced], outcomes);
        Assert.Equal(0, await planner.EnqueueDueAsync(default));
    }

    private static Connection Sample(string provider, string? serverUrl) => new(
        "acct", Vault.Core.Common.Ids.New("conn"), provider, ConnectionStatus.Active, "label", serverUrl, 0, [],
        DateTimeOffset.UnixEpoch, null, null, "identity");

    [Fact]
    public async Task Budgets_belong_to_one_tenant_and_one_provider_identity()
    {
        var budgets = Get<SyncBudgets>();
        var acme = "https://acme-" + Guid.NewGuid().ToString("N")[..8] + ".1password.com";

        // 1Password counts per service account of one tenant, whichever of its connections spends it.
        var first = Sample("1password", acme);
        var second = first with { ConnectionId = "conn-again" };
        Assert.Equal(budgets.WindowFor(first, _clock.GetUtcNow()), budgets.WindowFor(second, _clock.GetUtcNow()));
        var day = budgets.WindowFor(first, _clock.GetUtcNow());
        Assert.Equal((16, TimeSpan.FromDays(1)), (day.Limit, day.Length));
        for (var i = 0; i < 16; i++)
        {
            Assert.Null(await budgets.TryTakeAsync(i % 2 == 0 ? first : second, default));
        }

        Assert.Equal(day.End, await budgets.TryTakeAsync(second, default));
        Assert.Equal(DateTimeOffset.Parse("2026-11-25T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), day.End);

        // Another tenant with the very same identity (it chose the same token text) has its own budget, untouched.
        Assert.Null(await budgets.TryTakeAsync(first with { AccountId = "acct-other" }, default));

        // Bitwarden counts per server, tenant and user a minute.
        var selfHosted = Sample("bitwarden", "https://bw-" + Guid.NewGuid().ToString("N")[..8] + ".example.com");
        Assert.Null(await budgets.TryTakeAsync(selfHosted, default));
        Assert.Equal(_clock.GetUtcNow().AddMinutes(1), await budgets.TryTakeAsync(selfHosted with { ConnectionId = "conn-other" }, default));
        Assert.Null(await budgets.TryTakeAsync(selfHosted with { IdentityHash = "another user" }, default));
        Assert.Null(await budgets.TryTakeAsync(selfHosted with { AccountId = "acct-other" }, default));
    }

    [Fact]
    public async Task A_tenants_failing_connections_back_off_and_leave_another_tenants_resyncs_on_schedule()
    {
        async Task<(string ConnectionId, ScriptedAccount Vault)> ConnectAsync(string apiKey)
        {
            var clientId = "user." + Guid.NewGuid();
            var vault = _host.Bitwarden.Account(clientId);
            vault.Items.Add(Login("1", "GitHub", "github.com"));
            var response = await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new System.Text.Json.Nodes.JsonObject
            {
                ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m",
            });
            var connection = (await HttpAssert.Status(response, 201))!;
            return (connection["connectionId"]!.GetValue<string>(), vault);
        }

        var (_, keyA) = await _host.CreateAccountAsync("a");
        var (_, keyB) = await _host.CreateAccountAsync("b");
        var tenantA = await ConnectAsync(keyA);
        var tenantB = new[] { await ConnectAsync(keyB), await ConnectAsync(keyB) };
        foreach (var (_, vault) in tenantB)
        {
            vault.Mode = ScriptedMode.Unavailable;
        }

        // Tenant B also hammers its own sync route; that spends nothing of A's.
        for (var i = 0; i < 5; i++)
        {
            await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", keyB);
        }

        var planner = Get<ResyncPlanner>();
        var worker = Get<ResyncWorker>();
        var queue = await Get<ResyncQueue>().QueueAsync();
        var readsOfB = tenantB.Sum(b => b.Vault.Reads);
        var syncsOfA = 0;

        // Two days of timer ticks every 15 minutes, each due message processed at once.
        for (var tick = 0; tick < 2 * 24 * 4; tick++)
        {
            _clock.Advance(TimeSpan.FromMinutes(15));
            await planner.EnqueueDueAsync(default);
            foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
            {
                var parsed = ResyncQueue.Parse(message.Body.ToString())!;
                try
                {
                    if (await worker.ProcessAsync(parsed, 1, default) == ResyncOutcome.Synced && parsed.ConnectionId == tenantA.ConnectionId)
                    {
                        syncsOfA++;
                    }
                }
                catch (ResyncRetryException)
                {
                    // the queue would retry it a few times; here the next timer tick decides
                }

                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        // A: every 6 h (+ its jitter) for two days. B: 1 h, 2 h, 4 h, then every 6 h, not every tick (192 ticks).
        Assert.InRange(syncsOfA, 6, 8);
        var attemptsOfB = tenantB.Sum(b => b.Vault.Reads) - readsOfB;
        Assert.InRange(attemptsOfB, 2 * 5, 2 * 12);
        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", keyB), 200))!["connections"]!.AsArray();
        Assert.All(listed, c => Assert.True(DateTimeOffset.Parse(c!["nextSyncAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > _clock.GetUtcNow()));
    }

    [Fact]
    public async Task A_reconnect_ends_the_back_off_of_failed_syncs()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        var vault = _host.Bitwarden.Account(clientId);
        vault.Items.Add(Login("1", "GitHub", "github.com"));
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m",
        };
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body.DeepClone()), 201);
        async Task<DateTimeOffset> NextSyncAtAsync() => DateTimeOffset.Parse(
            (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!["nextSyncAt"]!.GetValue<string>(),
            System.Globalization.CultureInfo.InvariantCulture);

        vault.Mode = ScriptedMode.Unavailable;
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 503);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), await NextSyncAtAsync()); // first back-off step

        // The user fixes things and connects again: the connection is synced now, so it is due by its interval.
        vault.Mode = ScriptedMode.Ok;
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body.DeepClone()), 200);
        Assert.True(await NextSyncAtAsync() >= _clock.GetUtcNow() + TimeSpan.FromHours(6));
    }

    [Fact]
    public void Jitter_spreads_connections_over_a_quarter_of_the_interval()
    {
        var planner = Get<ResyncPlanner>();
        var interval = TimeSpan.FromHours(6);
        var dueAfter = Enumerable.Range(0, 400).Select(_ => planner.DueAfter(Vault.Core.Common.Ids.New("conn"))).ToList();
        Assert.All(dueAfter, d => Assert.InRange(d, interval, interval * 1.25));
        var buckets = dueAfter.GroupBy(d => (int)((d - interval) / (interval * 0.25) * 8)).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(8, buckets.Count);
        Assert.All(buckets.Values, count => Assert.InRange(count, 20, 80));
        Assert.Equal(planner.DueAfter("conn-stable"), planner.DueAfter("conn-stable"));
    }

    [Fact]
    public async Task A_crashed_lease_holder_blocks_only_until_expiry()
    {
        var leases = Get<SyncLeases>();
        var connectionId = Vault.Core.Common.Ids.New("conn");
        Assert.NotNull(await leases.TryAcquireAsync(connectionId, TimeSpan.FromMinutes(2), default)); // never released: a crash
        Assert.Null(await leases.TryAcquireAsync(connectionId, TimeSpan.FromMinutes(2), default));
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await leases.TryAcquireAsync(connectionId, TimeSpan.FromMinutes(2), default));
        _clock.Advance(TimeSpan.FromMinutes(1.5));
        var holder = await leases.TryAcquireAsync(connectionId, TimeSpan.FromMinutes(2), default);
        Assert.NotNull(holder);
        await leases.ReleaseAsync(connectionId, holder!, default);
        Assert.NotNull(await leases.TryAcquireAsync(connectionId, TimeSpan.FromMinutes(2), default));
    }
}
