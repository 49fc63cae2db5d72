using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vault.Testing.Keeper;
using Vault.Tests.FunctionsHost;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>Keeper under the real Functions host: connect with a one-time token, sync, and the log searched for secrets.</summary>
[Trait(TestKind.Trait, TestKind.Host)]
public sealed class KeeperFunctionsHostTests
{
    [FunctionsHostFact]
    public async Task Connect_and_sync_keeper_under_the_functions_host()
    {
        await using var server = await FakeKeeperServer.StartAsync(null, 10);
        var data = KeeperStandardData.Seed(server.CreateApplication("Agents fleet"));
        var settings = FunctionsHostFixture.AppSettings(new Dictionary<string, string?>
        {
            ["Vault__Keeper__PrivateCaPem"] = server.Ca.CaPem,
            ["Vault__Keeper__ServerPublicKey"] = server.PublicKeyOf(10),
            ["Vault__Keeper__ServerPublicKeyId"] = "10",
        });
        await using var host = FunctionsHostProcess.Start(FunctionsHostLocator.Command!, await BuiltApp.DirectoryAsync(), settings, "keeper");
        await host.WaitUntilServingAsync("/v1/health", TimeSpan.FromMinutes(3));
        using var http = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/accounts") { Content = JsonContent.Create(new { name = "keeper-host" }) };
        create.Headers.Add("X-Admin-Key", settings["Vault__AdminKey"]);
        var apiKey = (await (await http.SendAsync(create)).Content.ReadFromJsonAsync<JsonObject>())!["apiKey"]!.GetValue<string>();

        var token = server.MintToken(data.Application);
        using var connect = new HttpRequestMessage(HttpMethod.Post, "/v1/vault/connections") { Content = JsonContent.Create(new { provider = "keeper", token }) };
        connect.Headers.Add("X-API-Key", apiKey);
        var answer = await http.SendAsync(connect);
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.Created, body + "\n" + host.Tail());
        Assert.Equal(5, JsonNode.Parse(body)!["itemCount"]!.GetValue<int>());

        using var sync = new HttpRequestMessage(HttpMethod.Post, "/v1/vault/items/sync") { Content = JsonContent.Create(new { }) };
        sync.Headers.Add("X-API-Key", apiKey);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(sync)).StatusCode);
        Assert.Empty(server.Problems);
        foreach (var secret in data.SecretStrings().Append(token[(token.LastIndexOf(':') + 1)..]))
        {
            Assert.False(host.Log.Contains(secret, StringComparison.Ordinal), "A Keeper secret appeared in the host's log.");
        }
    }
}
