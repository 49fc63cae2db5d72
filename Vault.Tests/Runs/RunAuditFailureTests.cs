using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Runs;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class RunAuditFailureTests : ApiTestBase
{
    [Fact]
    public async Task When_the_audit_cannot_be_written_nothing_secret_leaves()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var connection = await ConnectBitwardenAsync(apiKey, NewClientId(), Login("1", "GitHub", "github.com", password: "audit-guarded-pw"));
        var run = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey,
            new JsonObject { ["credential_item_ids"] = new JsonArray(connection["items"]![0]!["itemId"]!.GetValue<string>()) }), 201))!;

        // One audited read creates the audit table; then it is deleted underneath the running service.
        using (var first = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials"))
        {
            first.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            await HttpAssert.Status(await Host.Client.SendAsync(first), 200);
        }

        var tables = new TableServiceClient(AzuriteStorage.ConnectionString);
        await tables.DeleteTableAsync(Host.TablePrefix + "audit");

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        var response = await Host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("audit-guarded-pw", text);
        await HttpAssert.Error(response, 503, "VAULT_UNAVAILABLE");
        Assert.Empty(Host.Logs.Leaked("audit-guarded-pw", run["runToken"]!.GetValue<string>()));
    }
}
