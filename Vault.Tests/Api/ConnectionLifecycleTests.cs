using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;
using Vault.Core.Connections.Sync;

namespace Vault.Tests.Api;

/// <summary>
/// The connection lifecycle under real concurrent HTTP calls: one connection per identity, a delete that wins over a
/// sync still running, slots that never leak, and rows that change only under ETag conditions.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ConnectionLifecycleTests : ApiTestBase
{
    private T Get<T>() where T : notnull => Host.Services.GetRequiredService<T>();

    private Task<List<TableEntity>> RowsAsync(string table, string accountId) => table == "items"
        ? AzuriteStorage.ItemRowsAsync(Host.TablePrefix + table, accountId)
        : AzuriteStorage.PartitionAsync(Host.TablePrefix + table, accountId);

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        // Polls for an event the test cannot await directly; the limit only turns a hang into a clear failure.
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.False(limit.IsCancellationRequested, "Timed out waiting until " + what);
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Concurrent_connects_of_one_identity_end_in_one_connection()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        var vault = Host.Bitwarden.Account(clientId);
        vault.Items.Add(Login("1", "GitHub", "github.com"));
        vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Three clients connect the same identity; the first sync is held until the other two have arrived.
        var first = Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId));
        Assert.True(await vault.ReadStarted.WaitAsync(TimeSpan.FromSeconds(30)));
        var others = Enumerable.Range(0, 2).Select(_ => Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId))).ToList();
        await WaitUntilAsync(() => Host.Logs.Lines.Count(l => l.Contains("already claimed waits for connection", StringComparison.Ordinal)) == 2,
            "both later connects wait for the first");
        Assert.Equal(1, vault.Reads); // they wait; they do not start a second connection's sync
        vault.Gate.SetResult();

        var responses = await Task.WhenAll(others.Prepend(first));
        var statuses = responses.Select(r => (int)r.StatusCode).ToList();
        Assert.Equal([200, 200, 201], statuses.Order());
        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            ids.Add((await HttpAssert.Status(response, (int)response.StatusCode))!["connectionId"]!.GetValue<string>());
        }

        var id = Assert.Single(ids);
        var listed = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray();
        Assert.Equal(id, Assert.Single(listed)!["connectionId"]!.GetValue<string>());

        // One slot is held, so exactly one more identity fits.
        Assert.Single(await RowsAsync("connections", accountId), r => r.RowKey.StartsWith("slot|", StringComparison.Ordinal));
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("2", "Other", "other.example"));
        var third = NewClientId();
        Host.Bitwarden.Account(third).Items.Add(Login("3", "Third", "third.example"));
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(third)), 409, ErrorCodes.MaxConnections);
    }

    [Fact]
    public async Task A_delete_during_a_running_sync_wins()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        var connection = await ConnectBitwardenAsync(apiKey, clientId, Login("1", "GitHub", "github.com", password: "old-password"));
        var id = connection["connectionId"]!.GetValue<string>();
        var vault = Host.Bitwarden.Account(clientId);

        // The next sync finds new items and a refreshed secret, but is held in the middle of its provider read.
        vault.Items.Add(Login("2", "GitLab", "gitlab.com", password: "new-password"));
        vault.RefreshSecret = true;
        vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sync = Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject());
        Assert.True(await vault.ReadStarted.WaitAsync(TimeSpan.FromSeconds(30)));

        var keyId = (await Get<ConnectionStore>().GetAsync(accountId, id, default))!.KeyId!;
        var deleted = await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{id}", apiKey);
        Assert.True(deleted.IsSuccessStatusCode, $"delete answered {(int)deleted.StatusCode}");
        vault.Gate.SetResult();

        // The sync that finished later wrote nothing: it answers that there is no connection any more.
        await HttpAssert.Error(await sync, 404, ErrorCodes.NoConnections);
        Assert.Empty((await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray());
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, ErrorCodes.NoConnections);
        Assert.Empty(await RowsAsync("items", accountId));
        Assert.Empty(await RowsAsync("connections", accountId)); // no row, claim or slot left
        Assert.Null(await Get<ISecretStore>().GetAsync(ConnectionKeys.SecretName(id, keyId), default));

        // Both slots are free, and the identity connects afresh as a new connection.
        vault.Gate = null;
        var again = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId)), 201);
        Assert.NotEqual(id, again!["connectionId"]!.GetValue<string>());
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("3", "Other", "other.example"));
    }

    [Fact]
    public async Task A_delete_during_a_reconnect_wins_and_the_reconnect_starts_afresh()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        var id = (await ConnectBitwardenAsync(apiKey, clientId, Login("1", "GitHub", "github.com")))["connectionId"]!.GetValue<string>();
        var vault = Host.Bitwarden.Account(clientId);
        var keyId = (await Get<ConnectionStore>().GetAsync(accountId, id, default))!.KeyId!;
        vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnect = Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId, secret: "rotated"));
        Assert.True(await vault.ReadStarted.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True((await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{id}", apiKey)).IsSuccessStatusCode);
        vault.Gate.SetResult();

        // The held re-connect lost to the delete; it took back its writes and connected the identity anew.
        var answer = (await HttpAssert.Status(await reconnect, 201))!;
        var newId = answer["connectionId"]!.GetValue<string>();
        Assert.NotEqual(id, newId);
        Assert.Null(await Get<ISecretStore>().GetAsync(ConnectionKeys.SecretName(id, keyId), default));
        Assert.All(await RowsAsync("items", accountId), r => Assert.DoesNotContain(id, r.GetString("ItemId") ?? r.RowKey));
        Assert.Equal(["GitHub"], Labels(await ListItemsAsync(apiKey)));
    }

    [Fact]
    public async Task A_failed_first_sync_never_keeps_the_slot()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        foreach (var mode in new[] { ScriptedMode.Unavailable, ScriptedMode.RejectCredentials })
        {
            var failing = NewClientId();
            Host.Bitwarden.Account(failing).Mode = mode;
            var response = await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(failing));
            Assert.False(response.IsSuccessStatusCode);
        }

        Assert.Empty(await RowsAsync("connections", accountId));
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "A", "a.example"));
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("2", "B", "b.example"));
    }

    [Fact]
    public async Task A_slot_left_by_a_crashed_connect_is_reclaimed_once_its_lease_expires()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var store = Get<ConnectionStore>();
        var leases = Get<SyncLeases>();

        // Two connects reserved both slots; one is still in its first sync (lease held), one crashed (lease expired).
        var running = Vault.Core.Common.Ids.New("conn");
        Assert.NotNull(await leases.TryAcquireAsync(running, TimeSpan.FromMinutes(2), default));
        Assert.NotNull(await store.TryReserveSlotAsync(accountId, running, default));
        var crashed = Vault.Core.Common.Ids.New("conn");
        Assert.NotNull(await leases.TryAcquireAsync(crashed, TimeSpan.Zero, default)); // expired at once
        Assert.NotNull(await store.TryReserveSlotAsync(accountId, crashed, default));

        var clientId = NewClientId();
        await ConnectBitwardenAsync(apiKey, clientId, Login("1", "GitHub", "github.com"));
        var slots = await store.ListSlotsAsync(accountId, default);
        Assert.Equal(2, slots.Count);
        Assert.Contains(slots, s => s.ConnectionId == running);
        Assert.DoesNotContain(slots, s => s.ConnectionId == crashed);

        // The slot of the connect still running is not taken from it.
        var another = NewClientId();
        Host.Bitwarden.Account(another).Items.Add(Login("2", "B", "b.example"));
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(another)), 409, ErrorCodes.MaxConnections);
    }

    [Fact]
    public async Task A_delete_that_stopped_half_way_is_finished_by_the_next_connect_that_needs_its_slot()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var a = (await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "A", "a.example")))["connectionId"]!.GetValue<string>();
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("2", "B", "b.example"));

        // A delete marked A and then its instance died: A is gone for readers but still holds its slot and items.
        var store = Get<ConnectionStore>();
        var keyOfA = (await store.GetAsync(accountId, a, default))!.KeyId!;
        Assert.NotNull(await store.TryMarkDeletingAsync((await store.GetAsync(accountId, a, default))!, default));
        Assert.Single((await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray());

        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("3", "C", "c.example"));
        Assert.Equal(["B", "C"], Labels(await ListItemsAsync(apiKey)));
        Assert.Null(await store.GetIncludingDeletingAsync(accountId, a, default));
        Assert.Null(await Get<ISecretStore>().GetAsync(ConnectionKeys.SecretName(a, keyOfA), default));
    }

    [Fact]
    public async Task Connection_rows_change_only_from_the_version_that_was_read()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var id = (await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "A", "a.example")))["connectionId"]!.GetValue<string>();
        var store = Get<ConnectionStore>();
        var stale = (await store.GetAsync(accountId, id, default))!;

        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200);
        var synced = (await store.GetAsync(accountId, id, default))!;
        Assert.NotEqual(stale.ETag, synced.ETag);

        // A writer holding the old version loses, and the row keeps the sync's result.
        Assert.Null(await store.TryUpdateAsync(stale with { Status = ConnectionStatus.ReconnectRequired }, default));
        Assert.Null(await store.TryMarkDeletingAsync(stale, default));
        var now = (await store.GetAsync(accountId, id, default))!;
        Assert.Equal((synced.ETag, ConnectionStatus.Active), (now.ETag, now.Status));
    }
}
