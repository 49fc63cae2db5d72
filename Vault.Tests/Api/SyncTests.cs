using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class SyncTests : ApiTestBase
{
    [Fact]
    public async Task Sync_reports_added_updated_removed_and_writes_nothing_when_unchanged()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        await ConnectBitwardenAsync(apiKey, clientId, Login("1", "GitHub", "github.com"), Login("2", "Old", "old-site.com"), Login("3", "Same", "same-site.com"));

        var unchanged = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        AssertSummary(unchanged!, 0, 0, 0, 0);

        var vault = Host.Bitwarden.Account(clientId.ToLowerInvariant());
        vault.Items.RemoveAll(i => i.ProviderItemId is "1" or "2");
        vault.Items.Add(Login("1", "GitHub", "github.com", password: "changed-password"));
        vault.Items.Add(Login("4", "New", "new-site.com"));
        var sync = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        AssertSummary(sync!, added: 1, updated: 1, removed: 1, skipped: 0);
        Assert.Equal(["GitHub", "New", "Same"], Labels(sync!["items"]!.AsArray()));
        var connection = sync["connections"]!.AsArray().Single()!;
        Assert.Equal("active", connection["status"]!.GetValue<string>());
        Assert.Equal(3, connection["itemCount"]!.GetValue<int>());
        Assert.Null(connection["error"]);
        Assert.Empty(await ListItemsAsync(apiKey, "?domain=old-site.com"));
    }

    [Fact]
    public async Task Renamed_items_move_in_the_order_and_lose_old_domains()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        await ConnectBitwardenAsync(apiKey, clientId, Login("1", "Zed", "first-site.com"), Login("2", "Middle", "middle-site.com"));
        var vault = Host.Bitwarden.Account(clientId.ToLowerInvariant());
        vault.Items.Clear();
        vault.Items.AddRange([Login("1", "Aaron", "second.example.org"), Login("2", "Middle", "middle-site.com")]);
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        Assert.Equal(["Aaron", "Middle"], Labels(await ListItemsAsync(apiKey)));
        Assert.Empty(await ListItemsAsync(apiKey, "?domain=first-site.com"));
        Assert.Equal(["Aaron"], Labels(await ListItemsAsync(apiKey, "?domain=second.example.org")));
    }

    [Fact]
    public async Task Rejected_credentials_mark_reconnect_required_and_keep_items()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        var connection = await ConnectBitwardenAsync(apiKey, clientId, Login("1", "GitHub", "github.com"));
        var vault = Host.Bitwarden.Account(clientId.ToLowerInvariant());
        vault.Mode = ScriptedMode.RejectCredentials;

        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 401, "UNAUTHORIZED");
        var listed = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!;
        Assert.Equal("reconnect_required", listed["status"]!.GetValue<string>());
        Assert.Equal("INVALID_VAULT_TOKEN", listed["lastError"]!["code"]!.GetValue<string>());
        Assert.Equal(["GitHub"], Labels(await ListItemsAsync(apiKey)));

        // No further provider calls until the user re-connects.
        var reads = vault.Reads;
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 401, "UNAUTHORIZED");
        Assert.Equal(reads, vault.Reads);

        vault.Mode = ScriptedMode.Ok;
        var again = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId, secret: "new-secret")), 200);
        Assert.Equal(connection["connectionId"]!.GetValue<string>(), again!["connectionId"]!.GetValue<string>());
        Assert.Equal("active", again["status"]!.GetValue<string>());
        Assert.Null(again["lastError"]);
    }

    [Fact]
    public async Task Provider_outage_is_503_and_keeps_items_and_status()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        await ConnectBitwardenAsync(apiKey, clientId, Login("1", "GitHub", "github.com"));
        Host.Bitwarden.Account(clientId.ToLowerInvariant()).Mode = ScriptedMode.Throttled;

        var response = await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey);
        Assert.Equal(TimeSpan.FromSeconds(42), response.Headers.RetryAfter?.Delta);
        await HttpAssert.Error(response, 503, "VAULT_UNAVAILABLE");
        var listed = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!;
        Assert.Equal("active", listed["status"]!.GetValue<string>());
        Assert.Equal("VAULT_UNAVAILABLE", listed["lastError"]!["code"]!.GetValue<string>());
        Assert.Equal(["GitHub"], Labels(await ListItemsAsync(apiKey)));
    }

    [Fact]
    public async Task One_failing_connection_does_not_fail_the_other()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var good = NewClientId();
        var bad = NewClientId();
        await ConnectBitwardenAsync(apiKey, good, Login("1", "Good", "good.example.com"));
        var badConnection = await ConnectBitwardenAsync(apiKey, bad, Login("2", "Bad", "bad.example.com"));
        Host.Bitwarden.Account(bad.ToLowerInvariant()).Mode = ScriptedMode.Unavailable;

        var sync = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        var outcomes = sync!["connections"]!.AsArray();
        Assert.Equal(2, outcomes.Count);
        var failed = outcomes.Single(o => o!["connectionId"]!.GetValue<string>() == badConnection["connectionId"]!.GetValue<string>())!;
        Assert.Equal("VAULT_UNAVAILABLE", failed["error"]!["code"]!.GetValue<string>());
        Assert.Equal(["Bad", "Good"], Labels(sync["items"]!.AsArray()));

        var one = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey,
            new JsonObject { ["connectionId"] = badConnection["connectionId"]!.GetValue<string>() }), 503);
        Assert.Equal("VAULT_UNAVAILABLE", one!["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sync_errors_for_missing_connections()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 404, "NO_CONNECTIONS");
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "GitHub", "github.com"));
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject { ["connectionId"] = "conn-unknown" }), 404, "NOT_FOUND");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject { ["connectionId"] = 12 }), 400, "INVALID_INPUT");
    }

    private static void AssertSummary(JsonNode body, int added, int updated, int removed, int skipped)
    {
        var summary = body["sync_summary"]!;
        Assert.Equal(added, summary["added"]!.GetValue<int>());
        Assert.Equal(updated, summary["updated"]!.GetValue<int>());
        Assert.Equal(removed, summary["removed"]!.GetValue<int>());
        Assert.Equal(skipped, summary["skippedDisabled"]!.GetValue<int>());
    }
}
