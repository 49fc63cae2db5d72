using System.Net;
using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class AdminAndAuthTests : ApiTestBase
{
    [Fact]
    public async Task Health_and_openapi_need_no_key()
    {
        var health = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/health", null), 200);
        Assert.Equal("ok", health!["status"]!.GetValue<string>());
        var doc = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/openapi.json", null), 200);
        Assert.StartsWith("3.", doc!["openapi"]!.GetValue<string>());
    }

    [Fact]
    public async Task Admin_routes_require_the_admin_key()
    {
        var body = new JsonObject { ["name"] = "acme" };
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/admin/accounts", null, body), 401, "UNAUTHORIZED");
        await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts", null, body.ToJsonString(),
            new Dictionary<string, string> { ["X-Admin-Key"] = "wrong" }), 401, "UNAUTHORIZED");
        var (_, apiKey) = await Host.CreateAccountAsync();
        await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts", null, body.ToJsonString(),
            new Dictionary<string, string> { ["X-Admin-Key"] = apiKey }), 401, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Account_keys_can_be_added_and_revoked_at_once()
    {
        var (accountId, firstKey) = await Host.CreateAccountAsync();
        var admin = new Dictionary<string, string> { ["X-Admin-Key"] = VaultTestHost.AdminKey };
        var created = await HttpAssert.Status(await Host.SendRawAsync(HttpMethod.Post, $"/v1/admin/accounts/{accountId}/keys", null, null, admin), 201);
        var secondKey = created!["apiKey"]!.GetValue<string>();
        var keyId = created["keyId"]!.GetValue<string>();
        Assert.NotEqual(firstKey, secondKey);
        Assert.True(Convert.FromBase64String(Pad(secondKey[3..])).Length >= 32, "API keys carry at least 256 random bits");

        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", secondKey), 200);
        await HttpAssert.Status(await Host.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}/keys/{keyId}", null, null, admin), 204);
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", secondKey), 401, "INVALID_API_KEY");
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", firstKey), 200);

        await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}/keys/{keyId}", null, null, admin), 404, "NOT_FOUND");
        await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts/acct-unknown/keys", null, null, admin), 404, "NOT_FOUND");
        await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts", null, "{\"name\":\"\"}", admin), 400, "INVALID_INPUT");
    }

    [Fact]
    public async Task Api_key_is_stored_only_as_a_hash()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var tables = new Azure.Data.Tables.TableServiceClient(AzuriteStorage.ConnectionString);
        await foreach (var table in tables.QueryAsync())
        {
            if (!table.Name.StartsWith(Host.TablePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<Azure.Data.Tables.TableEntity>())
            {
                Assert.DoesNotContain(apiKey, string.Join("|", entity.Select(p => $"{p.Key}={p.Value}")));
            }
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("vk_not-a-real-key")]
    [InlineData("Bearer something")]
    [InlineData("vk_%%%//..")]
    public async Task Missing_or_unknown_api_keys_are_401(string? key)
    {
        var headers = new Dictionary<string, string>();
        if (key is not null)
        {
            headers["X-API-Key"] = key;
        }

        // The hosted product's codes and messages: no key at all, or a key that is not (or no longer) valid.
        var (expectedCode, expectedMessage) = string.IsNullOrEmpty(key)
            ? ("MISSING_API_KEY", "X-API-Key header is required")
            : ("INVALID_API_KEY", "Invalid or expired API key");
        foreach (var (method, path) in new[] { ("GET", "/v1/vault/connections"), ("GET", "/v1/vault/items"), ("POST", "/v1/vault/items/sync"), ("GET", "/v1/usage"), ("DELETE", "/v1/vault/connections/conn-x") })
        {
            var message = await HttpAssert.Error(await Host.SendRawAsync(new HttpMethod(method), path, null, null, headers), 401, expectedCode);
            Assert.Equal(expectedMessage, message);
        }
    }

    [Fact]
    public async Task A_repeated_api_key_header_is_refused()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/vault/connections");
        request.Headers.TryAddWithoutValidation("X-API-Key", new[] { apiKey, apiKey });
        var response = await Host.Client.SendAsync(request);
        await HttpAssert.Error(response, 401, "INVALID_API_KEY");
    }

    [Fact]
    public async Task Unknown_routes_answer_the_error_body()
    {
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, "/v1/nothing-here", null), 404, "NOT_FOUND");
        Assert.Equal(HttpStatusCode.NotFound, (await Host.SendAsync(HttpMethod.Put, "/v1/health", null)).StatusCode);
    }

    private static string Pad(string base64Url)
    {
        var s = base64Url.Replace('-', '+').Replace('_', '/');
        return s + new string('=', (4 - s.Length % 4) % 4);
    }
}

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class AdminDisabledTests : IAsyncLifetime
{
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(new Dictionary<string, string> { ["Vault:AdminKey"] = "" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Without_an_admin_key_configured_admin_routes_are_404()
    {
        var response = await _host.SendRawAsync(HttpMethod.Post, "/v1/admin/accounts", null, "{\"name\":\"x\"}",
            new Dictionary<string, string> { ["X-Admin-Key"] = "" });
        await HttpAssert.Error(response, 404, "NOT_FOUND");
    }
}

/// <summary>API-key look-ups are kept briefly per instance; a revocation on one instance still refuses the key on all at once.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class RevocationAcrossInstancesTests : IAsyncLifetime
{
    private VaultTestHost _first = null!;
    private VaultTestHost _second = null!;

    public async Task InitializeAsync()
    {
        _first = await VaultTestHost.StartAsync();
        _second = await VaultTestHost.StartAsync(new Dictionary<string, string> { ["Vault:TablePrefix"] = _first.TablePrefix });
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public async Task A_key_revoked_on_one_instance_is_refused_by_the_other_as_soon_as_the_revocation_answers()
    {
        var (accountId, _) = await _first.CreateAccountAsync();
        using var create = new HttpRequestMessage(HttpMethod.Post, $"/v1/admin/accounts/{accountId}/keys");
        create.Headers.Add("X-Admin-Key", VaultTestHost.AdminKey);
        var key = (await HttpAssert.Status(await _first.Client.SendAsync(create), 201))!;
        var apiKey = key["apiKey"]!.GetValue<string>();

        // Both instances have just authenticated the key (and keep it).
        await HttpAssert.Status(await _second.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        await HttpAssert.Status(await _first.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);

        // While the revocation is in flight the second instance keeps being called; once it answers, no call passes.
        using var revoke = new HttpRequestMessage(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}/keys/{key["keyId"]}");
        revoke.Headers.Add("X-Admin-Key", VaultTestHost.AdminKey);
        var revoking = _first.Client.SendAsync(revoke);
        while (!revoking.IsCompleted)
        {
            await _second.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey);
        }

        Assert.Equal(204, (int)(await revoking).StatusCode);
        foreach (var host in new[] { _second, _first, _second })
        {
            var refused = await host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey);
            Assert.Equal(401, (int)refused.StatusCode);
        }
    }
}
