using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class MalformedInputTests : ApiTestBase
{
    public static TheoryData<string> BadBodies => new()
    {
        "not json",
        "{",
        "[]",
        "null",
        "42",
        "\"text\"",
        "{\"provider\": 5}",
        "{\"provider\": [\"bitwarden\"]}",
        "{\"provider\": \"bitwarden\", \"clientId\": {}}",
        "{\"provider\": \"bitwarden\", \"clientId\": \"user.x\"} trailing",
        "",
        new string('{', 5000),
        "{\"provider\": \"bitwarden\", \"x\": \"" + new string('a', 70 * 1024) + "\"}",
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_connect_bodies_are_400_and_write_nothing(string body)
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 400, "INVALID_INPUT");
        var list = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200);
        Assert.Empty(list!["connections"]!.AsArray());
    }

    [Theory]
    [InlineData("POST", "/v1/admin/accounts", "{\"name\": 7}")]
    [InlineData("POST", "/v1/admin/accounts", "nope")]
    [InlineData("PATCH", "/v1/vault/items/cred:x:y:z", "{\"enabled\": \"false\"}")]
    [InlineData("PATCH", "/v1/vault/items/cred:x:y:z", "[true]")]
    [InlineData("POST", "/v1/vault/items/sync", "{\"connectionId\": false}")]
    [InlineData("POST", "/v1/vault/items/sync", "{{")]
    public async Task Bad_bodies_on_other_routes_are_400(string method, string path, string body)
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "GitHub", "github.com"));
        var headers = new Dictionary<string, string> { ["X-Admin-Key"] = VaultTestHost.AdminKey };
        await HttpAssert.Error(await Host.SendRawAsync(new HttpMethod(method), path, apiKey, body, headers), 400, "INVALID_INPUT");
        Assert.True((await ListItemsAsync(apiKey)).Single()!["enabled"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Query_problems_name_the_parameter()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "GitHub", "github.com"));
        foreach (var (query, code) in new[] { ("limit=0", "out_of_range"), ("limit=abc", "out_of_range"), ("enabled=maybe", "invalid_format") })
        {
            var json = System.Text.Json.Nodes.JsonNode.Parse(await (await Host.SendAsync(HttpMethod.Get, "/v1/vault/items?" + query, apiKey)).Content.ReadAsStringAsync())!;
            var detail = json["error"]!["details"]!.AsArray().Single()!;
            Assert.Equal(query.Split('=')[0], detail["path"]!.AsArray().Single()!.GetValue<string>());
            Assert.Equal(code, detail["code"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Huge_bodies_are_refused_without_reading_them_all()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var huge = new string('x', 5 * 1024 * 1024);
        var message = await HttpAssert.Error(await Host.SendRawAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, huge), 400, "INVALID_INPUT");
        Assert.Contains("64 KiB", message);
    }

    [Theory]
    [InlineData("/v1/vault/connections/conn-..%2F..%2Fx")]
    [InlineData("/v1/vault/connections/" + "conn-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("/v1/vault/connections/%27%20or%20%271%27%3D%271")]
    public async Task Odd_ids_are_404(string path)
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Delete, path, apiKey), 404, "NOT_FOUND");
    }

    [Fact]
    public async Task Odd_query_values_are_400_or_empty_never_500()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "GitHub", "github.com"));
        foreach (var query in new[] { "domain=%00", "domain=" + new string('a', 3000), "vault=%27", "connectionId=%27%20or%201%20eq%201", "domain=http%3A%2F%2F%5B%3A%3A1", "pageToken=" + new string('A', 5000) })
        {
            var response = await Host.SendAsync(HttpMethod.Get, "/v1/vault/items?" + query, apiKey);
            Assert.True((int)response.StatusCode is 200 or 400, $"{query}: {(int)response.StatusCode}");
            if ((int)response.StatusCode == 200)
            {
                Assert.Empty((await HttpAssert.Status(response, 200))!["items"]!.AsArray());
            }
        }
    }
}
