using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Resync;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>
/// A background resync of a 1Password connection compares the vault list's versions (each vault's content version,
/// which 1Password moves on every item change, its attribute and access versions) with those of the last complete read,
/// and lists no item when nothing moved; a change, a new vault, or details left unread make it read the overviews.
/// Real provider, real HTTP, the fake server moving content versions as the real one does.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class OnePasswordUnchangedResyncTests : IAsyncLifetime
{
    private FakeOnePasswordServer _server = null!;
    private FakeOnePasswordAccount _account = null!;
    private StandardData _data = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeOnePasswordServer.StartAsync();
        _account = _server.CreateAccount();
        _data = StandardData.Seed(_account);
        _host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:OnePassword:PrivateCaPem"] = _server.Ca.CaPem, ["Vault:ResyncInterval"] = "00:00:00",
            ["Vault:Resync:OnePasswordSyncsPerAccountPerDay"] = "100",
        }, useScriptedProviders: false);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
    }

    private Task<ResyncOutcome> ResyncAsync(string accountId, string connectionId) =>
        _host.Services.GetRequiredService<ResyncWorker>().ProcessAsync(new ResyncMessage(accountId, connectionId), 1, default);

    /// <summary>The paths the provider asked for during <paramref name="action"/>.</summary>
    private async Task<List<string>> RequestsDuringAsync(Func<Task> action)
    {
        _server.ClearRequests();
        await action();
        return _server.Requests.Select(r => r.PathAndQuery).ToList();
    }

    private async Task<List<string>> LabelsAsync(string apiKey) =>
        (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray()
            .Select(i => i!["label"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task An_unchanged_account_costs_the_vault_list_and_a_change_is_read()
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "1password", ["token"] = _account.MintToken() }), 201))!;
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var before = await LabelsAsync(apiKey);

        // Nothing changed: the vault list only (the session is kept), no overview, no item.
        ResyncOutcome outcome = default;
        var unchanged = await RequestsDuringAsync(async () => outcome = await ResyncAsync(accountId, connectionId));
        Assert.Equal(ResyncOutcome.Synced, outcome);
        Assert.Equal(["/api/v1/vaults?attrs=combined-access"], unchanged);
        Assert.Equal(before, await LabelsAsync(apiKey));

        // A new login moves its vault's content version: the overviews are read and the item is there.
        _data.Personal.AddLogin("Shop", "bob", "shop-pw-1", url: "https://shop.example.org/login");
        var changed = await RequestsDuringAsync(async () => await ResyncAsync(accountId, connectionId));
        Assert.Contains(changed, p => p.Contains("/items/overviews", StringComparison.Ordinal));
        Assert.Contains("Shop", await LabelsAsync(apiKey));

        // After that complete read its versions are kept: unchanged again.
        Assert.Equal(["/api/v1/vaults?attrs=combined-access"], await RequestsDuringAsync(async () => await ResyncAsync(accountId, connectionId)));

        // A sync the user asks for always reads everything.
        var manual = await RequestsDuringAsync(async () =>
            await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200));
        Assert.Contains(manual, p => p.Contains("/items/overviews", StringComparison.Ordinal));
        Assert.Empty(_host.Logs.Leaked(_account.SecretStrings().ToArray()));
    }
}
