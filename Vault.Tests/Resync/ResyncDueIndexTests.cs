using System.Globalization;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Vault.Core.Connections;
using Vault.Core.Resync;
using Vault.Core.Storage;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Resync;

/// <summary>
/// The resync timer on the due-time index (<see cref="ResyncDueIndex"/>): what it reads, what it enqueues, how the
/// entries follow a connection's back-off, sync and delete, and the one-time backfill of rows written before it.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ResyncDueIndexTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:00Z", CultureInfo.InvariantCulture));
    private readonly TableRowCounter _rows = new();
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(
        new Dictionary<string, string> { ["Vault:ResyncInterval"] = "06:00:00", ["Vault:Resync:BackfillRowsPerTick"] = "1000" },
        services =>
        {
            services.AddSingleton<TimeProvider>(_clock);
            _rows.AddTo(services);
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    private int ConnectionRowsRead => _rows.RowsRead(_host.TablePrefix, "connections");

    private int IndexRowsRead => _rows.RowsRead(_host.TablePrefix, "resyncdue");

    /// <summary>Connection rows as they were written before the index: no entry, no <c>DueSlot</c>.</summary>
    private async Task<List<string>> SeedLegacyRowsAsync(int count, TimeSpan syncedAgo, string status = "active")
    {
        var table = new TableServiceClient(AzuriteStorage.ConnectionString).GetTableClient(_host.TablePrefix + "connections");
        await table.CreateIfNotExistsAsync();
        var synced = _clock.GetUtcNow() - syncedAgo;
        var ids = Enumerable.Range(0, count).Select(_ => Vault.Core.Common.Ids.New("conn")).ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
            await table.AddEntityAsync(new TableEntity("acct-" + id, "conn|" + id)
            {
                ["ConnectionId"] = id, ["Provider"] = "bitwarden", ["Status"] = status, ["Label"] = "legacy",
                ["CreatedAt"] = synced, ["LastSyncedAt"] = synced, ["IdentityHash"] = "identity-" + id,
            }, ct));
        return ids;
    }

    private async Task<List<ResyncMessage>> DrainQueueAsync()
    {
        var queue = await Get<ResyncQueue>().QueueAsync();
        var messages = new List<ResyncMessage>();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                messages.Add(ResyncQueue.Parse(message.Body.ToString())!);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return messages;
    }

    private async Task<(string AccountId, string ApiKey, string ConnectionId, ScriptedAccount Vault)> ConnectAsync(string? apiKey = null, string? accountId = null)
    {
        if (apiKey is null)
        {
            (accountId, apiKey) = await _host.CreateAccountAsync();
        }

        var clientId = "user." + Guid.NewGuid();
        var vault = _host.Bitwarden.Account(clientId);
        vault.Items.Add(Login("1", "GitHub", "github.com"));
        var response = await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new System.Text.Json.Nodes.JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m",
        });
        var connection = (await HttpAssert.Status(response, 201))!;
        return (accountId!, apiKey, connection["connectionId"]!.GetValue<string>(), vault);
    }

    private async Task<ResyncDueEntry?> EntryOfAsync(string accountId, string connectionId)
    {
        var connection = await Get<ConnectionStore>().GetIncludingDeletingAsync(accountId, connectionId, default);
        return connection is null ? null : await Get<ResyncDueIndex>().GetAsync(connection, default);
    }

    [Fact]
    public async Task The_timer_enqueues_exactly_the_due_connections_reading_only_the_index()
    {
        var notDue = await SeedLegacyRowsAsync(500, TimeSpan.FromHours(1));
        var due = await SeedLegacyRowsAsync(5, TimeSpan.FromDays(1));
        var planner = Get<ResyncPlanner>();

        // The first tick backfills the 505 rows written before the index, then enqueues the 5 due ones.
        Assert.Equal(5, await planner.EnqueueDueAsync(default));
        Assert.Equal(due.Order(), (await DrainQueueAsync()).Select(m => m.ConnectionId).Order());

        // From now on a tick reads the index only: 500 connections not due cost no connection row and no index row.
        _rows.Reset();
        Assert.Equal(0, await planner.EnqueueDueAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(30));
        Assert.Equal(0, await planner.EnqueueDueAsync(default));
        Assert.Equal((0, 0), (ConnectionRowsRead, IndexRowsRead));

        // 8.5 h after their last sync all 500 are past 6 h × 1.25: each is enqueued once, from its index row alone.
        _clock.Advance(TimeSpan.FromHours(7));
        Assert.Equal(500, await planner.EnqueueDueAsync(default));
        Assert.Equal((0, 500), (ConnectionRowsRead, IndexRowsRead));
        Assert.Equal(notDue.Order(), (await DrainQueueAsync()).Select(m => m.ConnectionId).Order());
        Assert.Equal(0, await planner.EnqueueDueAsync(default));
    }

    [Fact]
    public async Task The_backfill_schedules_pre_existing_connections_once_resuming_across_ticks()
    {
        var due = await SeedLegacyRowsAsync(1500, TimeSpan.FromDays(1));
        var rejected = await SeedLegacyRowsAsync(1, TimeSpan.FromDays(1), status: ConnectionStatus.ReconnectRequired);
        var planner = Get<ResyncPlanner>();

        // 1,000 rows a tick: the first tick gets through part of them, the next resumes from the saved continuation.
        var first = await planner.EnqueueDueAsync(default);
        Assert.InRange(first, 1, 1499);
        Assert.False(Get<ResyncBackfill>().Done);
        var total = first;
        for (var tick = 0; tick < 3; tick++)
        {
            total += await planner.EnqueueDueAsync(default);
        }

        Assert.True(Get<ResyncBackfill>().Done);
        Assert.Equal(1500, total);
        var messages = await DrainQueueAsync();
        Assert.Equal(due.Order(), messages.Select(m => m.ConnectionId).Order()); // each once; the rejected one never
        Assert.DoesNotContain(messages, m => m.ConnectionId == rejected[0]);

        // Done is kept in the table: another instance's backfill reads no connection row.
        _rows.Reset();
        var another = new ResyncBackfill(Get<Tables>(), Get<ConnectionStore>(), Get<IOptions<ResyncOptions>>(), NullLogger<ResyncBackfill>.Instance);
        Assert.Equal(0, await another.StepAsync(default));
        Assert.True(another.Done);
        Assert.Equal(0, ConnectionRowsRead);
    }

    [Fact]
    public async Task A_deleted_connections_entry_is_removed_and_never_enqueued()
    {
        var (accountId, apiKey, kept, _) = await ConnectAsync();
        var (_, _, deleted, _) = await ConnectAsync(apiKey, accountId);
        Assert.NotNull(await EntryOfAsync(accountId, deleted));
        var before = await Get<ConnectionStore>().GetAsync(accountId, deleted, default);

        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{deleted}", apiKey), 200);
        Assert.Null(await Get<ResyncDueIndex>().GetAsync(before!, default));

        _clock.Advance(TimeSpan.FromHours(8));
        Assert.Equal(1, await Get<ResyncPlanner>().EnqueueDueAsync(default));
        Assert.Equal([kept], (await DrainQueueAsync()).Select(m => m.ConnectionId));
    }

    [Fact]
    public async Task Back_off_and_a_successful_sync_move_the_entry_and_nextSyncAt_shows_it()
    {
        var (accountId, apiKey, connectionId, vault) = await ConnectAsync();
        var planner = Get<ResyncPlanner>();
        async Task<DateTimeOffset> NextSyncAtAsync() => DateTimeOffset.Parse(
            (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!["nextSyncAt"]!.GetValue<string>(),
            CultureInfo.InvariantCulture);
        var connected = (await EntryOfAsync(accountId, connectionId))!;
        Assert.Equal(await NextSyncAtAsync(), connected.DueAt);

        // A failed sync backs off 1 h: the entry moves there.
        vault.Mode = ScriptedMode.Unavailable;
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 503);
        var backedOff = (await EntryOfAsync(accountId, connectionId))!;
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromHours(1), backedOff.DueAt);
        Assert.Equal(await NextSyncAtAsync(), backedOff.DueAt);
        Assert.NotEqual(connected.PartitionKey, backedOff.PartitionKey);

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await planner.EnqueueDueAsync(default));
        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await planner.EnqueueDueAsync(default));
        var message = Assert.Single(await DrainQueueAsync());

        // The retry succeeds: the entry moves one interval (and its jitter) on, and the timer has nothing due.
        vault.Mode = ScriptedMode.Ok;
        Assert.Equal(ResyncOutcome.Synced, await Get<ResyncWorker>().ProcessAsync(message, 1, default));
        var synced = (await EntryOfAsync(accountId, connectionId))!;
        Assert.Equal(_clock.GetUtcNow() + planner.DueAfter(connectionId), synced.DueAt);
        Assert.Equal(await NextSyncAtAsync(), synced.DueAt);
        Assert.Equal(0, await planner.EnqueueDueAsync(default));
        _clock.Advance(planner.DueAfter(connectionId));
        Assert.Equal(1, await planner.EnqueueDueAsync(default));
    }

    [Fact]
    public async Task A_message_for_a_connection_not_due_re_writes_a_lost_entry()
    {
        var (accountId, _, connectionId, _) = await ConnectAsync();
        var entry = (await EntryOfAsync(accountId, connectionId))!;
        await Get<ResyncDueIndex>().RemoveAsync(entry.PartitionKey, accountId, connectionId, default); // lost

        Assert.Equal(ResyncOutcome.SkippedNotDue, await Get<ResyncWorker>().ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default));
        Assert.Equal(entry.DueAt, (await EntryOfAsync(accountId, connectionId))!.DueAt);
    }
}
