using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Resync;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;
using KdfSettings = Vault.Core.Providers.Bitwarden.Crypto.KdfSettings;
using KdfType = Vault.Core.Providers.Bitwarden.Crypto.KdfType;

namespace Vault.Tests.Bitwarden;

/// <summary>
/// A background resync asks Bitwarden's <c>GET /api/accounts/revision-date</c> first, as the official clients do, and
/// downloads the vault only when the date moved; a sync the user asks for always downloads. Real provider, real HTTP,
/// the fake server's revision date moving as the real server's does.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class BitwardenUnchangedResyncTests : IAsyncLifetime
{
    private FakeBitwardenServer _server = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeBitwardenServer.StartAsync();
        _host = await VaultTestHost.StartAsync(new Dictionary<string, string> { ["Vault:ResyncInterval"] = "00:00:00", ["Vault:Resync:BitwardenSyncsPerMinute"] = "100" },
            useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private async Task<(string ApiKey, string ConnectionId, FakeBitwardenAccount Account, string AccountId)> ConnectAsync()
    {
        var account = _server.AddAccount($"user{Guid.NewGuid():N}@example.com", "unchanged resync pw", new KdfSettings(KdfType.Pbkdf2Sha256, 5_000, null, null));
        account.AddLogin("GitHub", "alice", "gh-pw", null, [("https://github.com/login", null)]);
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = account.ClientId, ["clientSecret"] = account.ClientSecret,
            ["masterPassword"] = account.MasterPassword, ["serverUrl"] = _server.BaseUrl,
        }), 201))!;
        return (apiKey, connection["connectionId"]!.GetValue<string>(), account, accountId);
    }

    private Task<ResyncOutcome> ResyncAsync(string accountId, string connectionId) =>
        _host.Services.GetRequiredService<ResyncWorker>().ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default);

    private async Task<List<string>> LabelsAsync(string apiKey) =>
        (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray()
            .Select(i => i!["label"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    private async Task<DateTimeOffset> LastSyncedAtAsync(string apiKey) => DateTimeOffset.Parse(
        (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!["lastSyncedAt"]!.GetValue<string>(),
        System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_unchanged_vault_costs_one_request_and_a_changed_one_is_downloaded()
    {
        var (apiKey, connectionId, account, accountId) = await ConnectAsync();
        var downloads = _server.SyncRequests;
        var asked = _server.RevisionDateRequests;
        var syncedAt = await LastSyncedAtAsync(apiKey);

        // Nothing changed: one revision-date request, no download, and the connection counts as synced.
        Assert.Equal(ResyncOutcome.Synced, await ResyncAsync(accountId, connectionId));
        Assert.Equal(downloads, _server.SyncRequests);
        Assert.Equal(asked + 1, _server.RevisionDateRequests);
        Assert.True(await LastSyncedAtAsync(apiKey) > syncedAt);
        Assert.Equal(["GitHub"], await LabelsAsync(apiKey));

        // A new login moves the date: the next resync downloads and the item is there.
        account.AddLogin("Shop", "bob", "shop-pw", null, [("https://shop.example.org", null)]);
        Assert.Equal(ResyncOutcome.Synced, await ResyncAsync(accountId, connectionId));
        Assert.Equal(downloads + 1, _server.SyncRequests);
        Assert.Equal(["GitHub", "Shop"], await LabelsAsync(apiKey));

        // And after that download the date it saw is kept: unchanged again.
        Assert.Equal(ResyncOutcome.Synced, await ResyncAsync(accountId, connectionId));
        Assert.Equal(downloads + 1, _server.SyncRequests);
    }

    [Fact]
    public async Task A_sync_the_user_asks_for_downloads_even_when_nothing_changed()
    {
        var (apiKey, _, _, _) = await ConnectAsync();
        var downloads = _server.SyncRequests;

        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);

        Assert.Equal(downloads + 1, _server.SyncRequests);
    }

    [Fact]
    public async Task A_server_without_the_revision_date_is_read_in_full()
    {
        var (apiKey, connectionId, _, accountId) = await ConnectAsync();
        var downloads = _server.SyncRequests;
        _server.Faults.Enqueue(("revision-date", 404, null, null, null)); // a server without the route

        Assert.Equal(ResyncOutcome.Synced, await ResyncAsync(accountId, connectionId));

        Assert.Equal(downloads + 1, _server.SyncRequests);
        Assert.Equal(["GitHub"], await LabelsAsync(apiKey));
    }
}
