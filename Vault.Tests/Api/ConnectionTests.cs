using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ConnectionTests : ApiTestBase
{
    [Fact]
    public async Task Connect_syncs_first_and_answers_the_connection_with_its_items()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        var connection = await ConnectBitwardenAsync(apiKey, clientId,
            Login("i1", "GitHub", "https://github.com/login", totp: "JBSWY3DPEHPK3PXP"),
            Login("i2", "Acme", "acme.example.com", vault: "Acme Corp", vaultId: "org1"),
            Login("i3", "No website", "androidapp://com.example"));

        Assert.StartsWith("conn-", connection["connectionId"]!.GetValue<string>());
        Assert.True(connection["connected"]!.GetValue<bool>());
        Assert.Equal("bitwarden", connection["provider"]!.GetValue<string>());
        Assert.Equal("active", connection["status"]!.GetValue<string>());
        Assert.Equal("alice@example.com", connection["label"]!.GetValue<string>());
        Assert.Equal(2, connection["itemCount"]!.GetValue<int>());
        Assert.Equal(["Acme Corp", "My Vault"], connection["vaults"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Null(connection["lastError"]);
        Assert.NotNull(connection["lastSyncedAt"]);
        Assert.EndsWith("Z", connection["createdAt"]!.GetValue<string>());

        var items = connection["items"]!.AsArray();
        Assert.Equal(["Acme", "GitHub"], Labels(items));
        var github = items.Single(i => i!["label"]!.GetValue<string>() == "GitHub")!;
        Assert.Equal($"cred:{connection["connectionId"]}:personal:i1", github["itemId"]!.GetValue<string>());
        Assert.Equal(["github.com"], github["domains"]!.AsArray().Select(d => d!.GetValue<string>()));
        Assert.True(github["hasTotp"]!.GetValue<bool>());
        Assert.True(github["enabled"]!.GetValue<bool>());
        Assert.DoesNotContain("pw-secret", connection.ToJsonString());
        Assert.DoesNotContain("JBSWY3DPEHPK3PXP", connection.ToJsonString());

        var list = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        var listed = list!["connections"]!.AsArray().Single()!;
        Assert.Equal(connection["connectionId"]!.GetValue<string>(), listed["connectionId"]!.GetValue<string>());
        Assert.Null(listed["items"]);
        Assert.Null(listed["connected"]);
    }

    [Fact]
    public async Task Same_identity_reconnects_in_place_with_200()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        var first = await ConnectBitwardenAsync(apiKey, clientId, Login("i1", "GitHub", "https://github.com"));
        var again = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            BitwardenBody(clientId.ToUpperInvariant().Replace("USER.", "user."), secret: "rotated-secret")), 200);
        Assert.Equal(first["connectionId"]!.GetValue<string>(), again!["connectionId"]!.GetValue<string>());
        Assert.True(again["connected"]!.GetValue<bool>());
        Assert.Equal(first["createdAt"]!.GetValue<string>(), again["createdAt"]!.GetValue<string>());
        var list = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Single(list!["connections"]!.AsArray());
    }

    [Fact]
    public async Task At_most_two_connections_per_account()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("a", "A", "site-a.com"));
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("b", "B", "site-b.com"));
        var third = NewClientId();
        Host.Bitwarden.Account(third).Items.Add(Login("c", "C", "site-c.com"));
        var message = await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(third)), 409, "MAX_CONNECTIONS");
        Assert.Contains("2", message);
        Assert.Equal(0, Host.Bitwarden.Account(third).Reads);
    }

    [Fact]
    public async Task Concurrent_connects_never_exceed_two_connections()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var ids = Enumerable.Range(0, 5).Select(_ => NewClientId()).ToList();
        var responses = await Task.WhenAll(ids.Select(id =>
            Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(id))));
        Assert.Equal(2, responses.Count(r => (int)r.StatusCode == 201));
        Assert.Equal(3, responses.Count(r => (int)r.StatusCode == 409));
        var list = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Equal(2, list!["connections"]!.AsArray().Count);
    }

    [Fact]
    public async Task Delete_removes_credentials_items_and_frees_the_slot()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var a = await ConnectBitwardenAsync(apiKey, NewClientId(), Login("a", "A", "site-a.com"));
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("b", "B", "site-b.com"));
        var id = a["connectionId"]!.GetValue<string>();

        var disconnected = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{id}", apiKey), 200);
        Assert.True(disconnected!["disconnected"]!.GetValue<bool>());
        Assert.Equal(id, disconnected["connectionId"]!.GetValue<string>());
        Assert.Equal(["B"], Labels(await ListItemsAsync(apiKey)));
        Assert.Empty(await ListItemsAsync(apiKey, "?domain=site-a.com"));
        var secrets = Host.Services.GetService(typeof(Vault.Core.Storage.ISecretStore)) as Vault.Core.Storage.ISecretStore;
        Assert.Null(await secrets!.GetAsync("cred-" + id, CancellationToken.None));
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{id}", apiKey), 404, "NOT_FOUND");

        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("c", "C", "site-c.com"));
    }

    [Fact]
    public async Task Input_is_validated_before_any_provider_call()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        async Task Expect(JsonObject body, string field)
        {
            var message = await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 400, "INVALID_INPUT");
            Assert.StartsWith(field, message);
        }

        var clientId = NewClientId();
        await Expect(new JsonObject { ["provider"] = "lastpass" }, "provider");
        await Expect(new JsonObject { ["clientId"] = clientId }, "provider");
        await Expect(new JsonObject { ["provider"] = "1password", ["token"] = "abc" }, "token");
        await Expect(new JsonObject { ["provider"] = "1password" }, "token");
        await Expect(BitwardenBody("user.not-a-uuid"), "clientId");
        await Expect(BitwardenBody("organization." + Guid.NewGuid()), "clientId");
        var noSecret = BitwardenBody(clientId);
        noSecret.Remove("clientSecret");
        await Expect(noSecret, "clientSecret");
        var http = BitwardenBody(clientId);
        http["serverUrl"] = "http://vault.example.com";
        await Expect(http, "serverUrl");
        var privateHost = BitwardenBody(clientId);
        privateHost["serverUrl"] = "https://169.254.169.254";
        await Expect(privateHost, "serverUrl");
        Assert.Equal(0, Host.Bitwarden.Account(clientId).Reads);
        var list = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Empty(list!["connections"]!.AsArray());
    }

    [Fact]
    public async Task Rejected_credentials_are_invalid_vault_token_and_leave_nothing()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        Host.Bitwarden.Account(clientId).Mode = ScriptedMode.RejectCredentials;
        var message = await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId)), 400, "INVALID_VAULT_TOKEN");
        Assert.Equal("Invalid vault token", message);
        var list = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Empty(list!["connections"]!.AsArray());

        // Both slots are still free.
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("a", "A", "site-a.com"));
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("b", "B", "site-b.com"));
    }

    [Fact]
    public async Task Provider_outage_at_connect_is_503_and_leaves_nothing()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        Host.Bitwarden.Account(clientId).Mode = ScriptedMode.Throttled;
        var response = await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId));
        Assert.Equal("42", response.Headers.RetryAfter?.Delta?.TotalSeconds.ToString());
        await HttpAssert.Error(response, 503, "VAULT_UNAVAILABLE");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, "NO_CONNECTIONS");
    }

    [Fact]
    public async Task Live_secret_providers_cache_no_secrets()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync();
        var token = "ops_" + new string('a', 40);
        Host.OnePassword.Account(token[4..20]).Items.Add(Login("x1", "Shop", "https://shop.example.com", vault: "Team", vaultId: "v1"));
        var connection = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "1password", ["token"] = token }), 201);
        Assert.Equal(1, connection!["itemCount"]!.GetValue<int>());
        var cache = (Vault.Core.Items.ItemStore)Host.Services.GetService(typeof(Vault.Core.Items.ItemStore))!;
        var stored = await cache.GetAsync(accountId, connection["items"]![0]!["itemId"]!.GetValue<string>(), CancellationToken.None);
        Assert.Null(stored!.SealedSecrets);
        Assert.True(stored.Item.Data.SecretsLive);
    }
}
