using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ItemTests : ApiTestBase
{
    [Fact]
    public async Task No_connection_is_404_no_connections()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, "NO_CONNECTIONS");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/items?domain=github.com", apiKey), 404, "NO_CONNECTIONS");
    }

    [Fact]
    public async Task Items_are_ordered_by_vault_then_label_then_id()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(),
            Login("3", "zeta", "z.example.com"),
            Login("1", "Alpha", "a.example.com"),
            Login("2", "alpha", "a2.example.com"),
            Login("4", "Beta", "b.example.com", vault: "Acme Corp", vaultId: "org"),
            Login("5", "Émile", "e.example.com"));
        var items = await ListItemsAsync(apiKey);
        Assert.Equal(["Beta", "Alpha", "alpha", "zeta", "Émile"], Labels(items));
    }

    [Fact]
    public async Task Domain_filter_matches_registrable_domains_only()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(),
            Login("1", "GitHub", "https://github.com/login"),
            Login("2", "GitHub Enterprise", "login.github.com"),
            Login("3", "Evil", "https://evil-github.com"),
            Login("4", "Sneaky", "https://github.com.evil.io/login"),
            Login("5", "Alice pages", "https://alice.github.io"),
            Login("6", "Bob pages", "https://bob.github.io"),
            Login("7", "Multi", "https://example.org", moreUrls: "https://GITHUB.com:8443/x"));

        Assert.Equal(["GitHub", "GitHub Enterprise", "Multi"], Labels(await ListItemsAsync(apiKey, "?domain=github.com")));
        Assert.Equal(["GitHub", "GitHub Enterprise", "Multi"], Labels(await ListItemsAsync(apiKey, "?domain=" + Uri.EscapeDataString("https://www.GitHub.com/settings"))));
        Assert.Equal(["Alice pages"], Labels(await ListItemsAsync(apiKey, "?domain=alice.github.io")));
        Assert.Equal(["Evil"], Labels(await ListItemsAsync(apiKey, "?domain=evil-github.com")));
        Assert.Empty(await ListItemsAsync(apiKey, "?domain=gitlab.com"));
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/items?domain=" + Uri.EscapeDataString("ftp://github.com"), apiKey), 400, "INVALID_INPUT");
    }

    [Fact]
    public async Task Filters_and_pages()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var first = await ConnectBitwardenAsync(apiKey, NewClientId(),
            Enumerable.Range(0, 7).Select(i => Login($"p{i}", $"Personal {i}", $"site{i}.example.com")).Append(
                Login("o1", "Org item", "org.example.com", vault: "Acme Corp", vaultId: "org")).ToArray());
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("x", "Other", "other.example.com"));
        var firstId = first["connectionId"]!.GetValue<string>();

        Assert.Equal(8, (await ListItemsAsync(apiKey, $"?connectionId={firstId}")).Count);
        Assert.Equal(["Org item"], Labels(await ListItemsAsync(apiKey, "?vault=" + Uri.EscapeDataString("Acme Corp"))));
        Assert.Empty(await ListItemsAsync(apiKey, "?vault=" + Uri.EscapeDataString("acme corp")));

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var response = await Host.SendAsync(HttpMethod.Get, "/v1/vault/items?limit=3" + (token is null ? "" : "&pageToken=" + token), apiKey);
            var body = (await HttpAssert.Status(response, 200))!;
            seen.AddRange(Labels(body["items"]!.AsArray()));
            token = body["nextPageToken"]?.GetValue<string>();
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(Labels(await ListItemsAsync(apiKey, "?limit=1000")), seen);

        foreach (var bad in new[] { "limit=0", "limit=1001", "limit=abc", "enabled=maybe", "pageToken=garbage!", "limit=1&limit=2" })
        {
            await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/items?" + bad, apiKey), 400, "INVALID_INPUT");
        }
    }

    [Fact]
    public async Task Disabled_items_stay_disabled_across_syncs()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var connection = await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "GitHub", "github.com"), Login("2", "Other", "other.com"));
        var itemId = connection["items"]!.AsArray().Single(i => i!["label"]!.GetValue<string>() == "GitHub")!["itemId"]!.GetValue<string>();

        var patched = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(itemId), apiKey,
            new JsonObject { ["enabled"] = false }), 200);
        Assert.False(patched!["enabled"]!.GetValue<bool>());

        var sync = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        Assert.Equal(1, sync!["sync_summary"]!["skippedDisabled"]!.GetValue<int>());
        Assert.Equal(["GitHub"], Labels(await ListItemsAsync(apiKey, "?enabled=false")));
        Assert.Equal(["Other"], Labels(await ListItemsAsync(apiKey, "?enabled=true")));
        Assert.False((await ListItemsAsync(apiKey, "?domain=github.com")).Single()!["enabled"]!.GetValue<bool>());

        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(itemId), apiKey, new JsonObject { ["enabled"] = true }), 200);
        Assert.Equal(2, (await ListItemsAsync(apiKey, "?enabled=true")).Count);

        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/cred:conn-x:v:i", apiKey, new JsonObject { ["enabled"] = false }), 404, "NOT_FOUND");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(itemId), apiKey, new JsonObject { ["enabled"] = "no" }), 400, "INVALID_INPUT");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(itemId), apiKey, new JsonObject()), 400, "INVALID_INPUT");
    }
}
