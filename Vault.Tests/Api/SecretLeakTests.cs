using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Api;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class SecretLeakTests : ApiTestBase
{
    [Fact]
    public async Task Connect_sync_list_delete_logs_and_tables_hold_no_secret()
    {
        const string clientSecret = "CLIENT-SECRET-5f3a9c";
        const string masterPassword = "MASTER-PASSWORD-77b1";
        const string itemPassword = "ITEM-PASSWORD-e3d2";
        const string totpSeed = "JBSWY3DPEHPK3PXPLEAK";
        var (_, apiKey) = await Host.CreateAccountAsync();
        var clientId = NewClientId();
        Host.Bitwarden.Account(clientId).Items.Add(Login("1", "GitHub", "github.com", password: itemPassword, totp: totpSeed));

        var body = BitwardenBody(clientId, clientSecret, masterPassword);
        var connection = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body), 201);
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        await ListItemsAsync(apiKey, "?domain=github.com");
        Host.Bitwarden.Account(clientId).Mode = ScriptedMode.RejectCredentials;
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 401, "UNAUTHORIZED");

        // While the connection exists: every table of this host, cell by cell.
        var tables = new TableServiceClient(AzuriteStorage.ConnectionString);
        var cells = new List<string>();
        await foreach (var table in tables.QueryAsync())
        {
            if (table.Name.StartsWith(Host.TablePrefix, StringComparison.Ordinal))
            {
                await foreach (var entity in tables.GetTableClient(table.Name).QueryAsync<TableEntity>())
                {
                    cells.AddRange(entity.Select(p => p.Value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : p.Value?.ToString() ?? string.Empty));
                }
            }
        }

        Assert.NotEmpty(cells);
        foreach (var secret in new[] { clientSecret, masterPassword, itemPassword, totpSeed, apiKey })
        {
            Assert.DoesNotContain(cells, c => c.Contains(secret, StringComparison.Ordinal));
        }

        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connection!["connectionId"]}", apiKey), 200);
        Assert.Empty(Host.Logs.Leaked(clientSecret, masterPassword, itemPassword, totpSeed, apiKey));
        Assert.Contains(Host.Logs.Lines, l => l.Contains("Connection conn-", StringComparison.Ordinal));
    }
}
