using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class IsolationTests : ApiTestBase
{
    [Fact]
    public async Task Two_accounts_cannot_see_each_others_connections_items_or_usage()
    {
        var (_, alice) = await Host.CreateAccountAsync("alice");
        var (_, bob) = await Host.CreateAccountAsync("bob");
        var aliceConnection = await ConnectBitwardenAsync(alice, NewClientId(), Login("1", "Alice GitHub", "github.com"));
        await ConnectBitwardenAsync(bob, NewClientId(), Login("1", "Bob GitHub", "github.com"));
        var aliceConnectionId = aliceConnection["connectionId"]!.GetValue<string>();
        var aliceItemId = aliceConnection["items"]![0]!["itemId"]!.GetValue<string>();

        Assert.Equal(["Bob GitHub"], Labels(await ListItemsAsync(bob)));
        Assert.Equal(["Bob GitHub"], Labels(await ListItemsAsync(bob, "?domain=github.com")));
        Assert.Empty(await ListItemsAsync(bob, $"?connectionId={aliceConnectionId}"));
        var bobConnections = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", bob), 200))!["connections"]!.AsArray();
        Assert.DoesNotContain(aliceConnectionId, bobConnections.ToJsonString());

        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(aliceItemId), bob, new JsonObject { ["enabled"] = false }), 404, "NOT_FOUND");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{aliceConnectionId}", bob), 404, "NOT_FOUND");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", bob, new JsonObject { ["connectionId"] = aliceConnectionId }), 404, "NOT_FOUND");

        // Alice's data is untouched by Bob's attempts, and usage is counted per account.
        Assert.True((await ListItemsAsync(alice)).Single()!["enabled"]!.GetValue<bool>());
        var aliceUsage = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/usage", alice), 200))!;
        var bobUsage = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/usage", bob), 200))!;
        Assert.Equal(2, aliceUsage["days"]![0]!["calls"]!.GetValue<long>());
        Assert.Equal(1, aliceUsage["days"]![0]!["byRoute"]!["GET /v1/vault/items"]!.GetValue<long>());
        Assert.Equal(1, bobUsage["days"]![0]!["byRoute"]!["PATCH /v1/vault/items/{itemId}"]!.GetValue<long>());
        Assert.Null(aliceUsage["days"]![0]!["byRoute"]!["PATCH /v1/vault/items/{itemId}"]);
    }
}
