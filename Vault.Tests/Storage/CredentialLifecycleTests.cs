using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Vault.Core.Connections;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;
using KdfSettings = Vault.Core.Providers.Bitwarden.Crypto.KdfSettings;
using KdfType = Vault.Core.Providers.Bitwarden.Crypto.KdfType;
using Vault.Core.Snapshots;

namespace Vault.Tests.Storage;

/// <summary>
/// What the service keeps of a connection and what disconnect destroys: one key per connection in Key Vault (the real
/// SecretClient against the fake Key Vault, which counts every call), everything secret sealed under it in the tables,
/// no Bitwarden master password at rest, crypto-shredding on disconnect, rotation on re-connect, and the move of rows
/// written by the older layout (account data key, credentials secret per connection).
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class CredentialLifecycleTests : IAsyncLifetime
{
    private const string MasterPassword = "lifecycle master password";
    private static readonly KdfSettings Pbkdf2 = new(KdfType.Pbkdf2Sha256, 5_000, null, null);
    private FakeKeyVault _vault = null!;
    private FakeBitwardenServer _server = null!;
    private VaultTestHost _host = null!;
    private readonly List<VaultTestHost> _others = [];

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _server = await FakeBitwardenServer.StartAsync();
        _host = await StartHostAsync(null);
    }

    public async Task DisposeAsync()
    {
        foreach (var other in _others)
        {
            await other.DisposeAsync();
        }

        await _host.DisposeAsync();
        await _server.DisposeAsync();
        await _vault.DisposeAsync();
    }

    /// <summary>An instance on Key Vault; with <paramref name="tablePrefix"/>, a second instance on the same tables.</summary>
    private async Task<VaultTestHost> StartHostAsync(string? tablePrefix)
    {
        var settings = new Dictionary<string, string> { ["Vault:KeyVaultUri"] = _vault.VaultUri.ToString(), ["Vault:AllowLocalSecretStore"] = "false" };
        if (tablePrefix is not null)
        {
            settings["Vault:TablePrefix"] = tablePrefix;
        }

        var host = await VaultTestHost.StartAsync(settings,
            services => services.AddSingleton<ISecretStore>(new KeyVaultSecretStore(_vault.CreateClient(maxRetries: 0))), useScriptedProviders: false);
        if (tablePrefix is not null)
        {
            _others.Add(host);
        }

        return host;
    }

    private FakeBitwardenAccount NewAccount()
    {
        var account = _server.AddAccount($"user{Guid.NewGuid():N}@example.com", MasterPassword, Pbkdf2);
        account.AddLogin("GitHub", "alice", "gh-lifecycle-pw", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP", [("https://github.com/login", null)]);
        account.AddLogin("Shop", "bob", "shop-lifecycle-pw", null, [("https://shop.example.org", null)]);
        return account;
    }

    private JsonObject Body(FakeBitwardenAccount account) => new()
    {
        ["provider"] = "bitwarden",
        ["clientId"] = account.ClientId,
        ["clientSecret"] = account.ClientSecret,
        ["masterPassword"] = account.MasterPassword,
        ["serverUrl"] = _server.BaseUrl,
    };

    private async Task<(string AccountId, string ApiKey, string ConnectionId, JsonArray Items)> ConnectAsync(FakeBitwardenAccount account)
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!;
        return (accountId, apiKey, connection["connectionId"]!.GetValue<string>(), connection["items"]!.AsArray());
    }

    private static async Task<JsonNode> StartRunAsync(VaultTestHost host, string apiKey, JsonArray items) =>
        (await HttpAssert.Status(await host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["credential_item_ids"] = new JsonArray(items.Select(i => (JsonNode)i!["itemId"]!.GetValue<string>()).ToArray()),
        }), 201))!;

    private static async Task<HttpResponseMessage> CredentialsAsync(VaultTestHost host, JsonNode run)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        return await host.Client.SendAsync(request);
    }

    private static async Task<List<string>> PasswordsAsync(VaultTestHost host, JsonNode run) =>
        (await HttpAssert.Status(await CredentialsAsync(host, run), 200))!["credentials"]!.AsArray()
            .Select(c => c!["password"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();

    /// <summary>
    /// The authorized Key Vault calls an action made (the SecretClient's first request on a new client is an
    /// unauthenticated challenge that Key Vault answers 401 without doing anything; it is not a call of ours).
    /// </summary>
    private async Task<List<(string Method, string Path)>> KeyVaultCallsOfAsync(Func<Task> action)
    {
        var before = _vault.Requests.Count;
        await action();
        return _vault.Requests.Skip(before).Where(r => r.Authorized).Select(r => (r.Method, r.Path)).ToList();
    }

    private Task<List<TableEntity>> RowsAsync(string table, string accountId) => table == "items"
        ? AzuriteStorage.ItemRowsAsync(_host.TablePrefix + table, accountId)
        : AzuriteStorage.PartitionAsync(_host.TablePrefix + table, accountId);

    private async Task<Connection> ConnectionAsync(VaultTestHost host, string accountId, string connectionId) =>
        (await host.Services.GetRequiredService<ConnectionStore>().GetAsync(accountId, connectionId, default))!;

    [Fact]
    public async Task Key_vault_is_written_once_per_connect_read_once_per_cold_instance_and_never_by_syncs_or_run_reads()
    {
        var account = NewAccount();
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        Assert.Empty(_vault.Names); // no account-level key any more

        JsonNode connection = null!;
        var connect = await KeyVaultCallsOfAsync(async () =>
            connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 201))!);
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var keyId = (await ConnectionAsync(_host, accountId, connectionId)).KeyId!;
        Assert.Equal([("PUT", $"/secrets/{ConnectionKeys.SecretName(connectionId, keyId)}")], connect);
        Assert.Equal([ConnectionKeys.SecretName(connectionId, keyId)], _vault.Names);

        // A warm instance: a no-change sync, a changed sync and a run's credential read make no Key Vault call.
        var syncs = await KeyVaultCallsOfAsync(async () =>
        {
            await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
            account.AddLogin("Wiki", "carol", "wiki-lifecycle-pw", null, [("https://wiki.example.net", null)]);
            await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        });
        Assert.Empty(syncs);
        var run = await StartRunAsync(_host, apiKey, connection["items"]!.AsArray());
        Assert.Empty(await KeyVaultCallsOfAsync(async () => Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(_host, run))));

        // A cold instance reads the key once, then no more.
        var cold = await StartHostAsync(_host.TablePrefix);
        var coldCalls = await KeyVaultCallsOfAsync(async () =>
        {
            Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(cold, run));
            await HttpAssert.Status(await cold.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
            Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(cold, run));
        });
        Assert.Equal([("GET", $"/secrets/{ConnectionKeys.SecretName(connectionId, keyId)}/")], coldCalls.Select(c => (c.Method, c.Path.TrimEnd('/') + "/")).ToList());

        // Disconnect: one delete, of the key.
        var disconnect = await KeyVaultCallsOfAsync(async () =>
            await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connectionId}", apiKey), 200));
        Assert.Equal([("DELETE", $"/secrets/{ConnectionKeys.SecretName(connectionId, keyId)}")], disconnect);
        Assert.Empty(_vault.Names);
    }

    [Fact]
    public async Task Disconnect_shreds_the_key_so_rows_copied_before_it_open_nothing()
    {
        var account = NewAccount();
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(account);
        var run = await StartRunAsync(_host, apiKey, items);
        Assert.Equal(2, (await PasswordsAsync(_host, run)).Count);

        // A copy of the tables, taken before the disconnect, written back after it.
        var connections = await RowsAsync("connections", accountId);
        var itemRows = await RowsAsync("items", accountId);
        Assert.Contains(connections, r => r.GetBinary("Credentials") is not null);
        Assert.Contains(itemRows, r => r.GetBinary("Secrets") is not null);
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connectionId}", apiKey), 200);
        var service = new TableServiceClient(AzuriteStorage.ConnectionString);
        foreach (var (table, rows) in new[] { ("connections", connections), ("items", itemRows) })
        {
            var client = service.GetTableClient(_host.TablePrefix + table);
            foreach (var row in rows)
            {
                await client.UpsertEntityAsync(row, TableUpdateMode.Replace);
            }
        }

        // Nothing secret is served from the restored rows, on this instance or a cold one, and nothing answers 500.
        var cold = await StartHostAsync(_host.TablePrefix);
        foreach (var host in new[] { _host, cold })
        {
            var answer = await CredentialsAsync(host, run);
            var text = await answer.Content.ReadAsStringAsync();
            Assert.DoesNotContain("lifecycle-pw", text, StringComparison.Ordinal);
            await HttpAssert.Error(answer, 503, ErrorCodes.VaultUnavailable);

            var sync = await host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey);
            Assert.True((int)sync.StatusCode is >= 400 and < 500 or 503, $"sync answered {(int)sync.StatusCode}");
        }

        // The provider credentials in the restored row cannot be opened either: the connection needs a re-connect.
        var restored = await ConnectionAsync(cold, accountId, connectionId);
        Assert.Equal(ConnectionStatus.ReconnectRequired, restored.Status);
        var calls = cold.Services.GetRequiredService<ProviderCalls>();
        var error = await Assert.ThrowsAsync<ProviderCallException>(() => calls.ReadCredentialsAsync(restored, default));
        Assert.Equal(ProviderFailure.CredentialsRejected, error.Failure);
        Assert.Empty(_host.Logs.Leaked("gh-lifecycle-pw", "shop-lifecycle-pw", MasterPassword, account.ClientSecret));
        Assert.Empty(cold.Logs.Leaked("gh-lifecycle-pw", "shop-lifecycle-pw", MasterPassword, account.ClientSecret));
    }

    [Fact]
    public async Task Deleting_an_account_revokes_its_keys_and_runs_and_shreds_every_connection_key_first()
    {
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(NewAccount());
        var second = NewAccount();
        var other = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(second)), 201))!;
        var run = await StartRunAsync(_host, apiKey, items);
        Assert.Equal(2, (await PasswordsAsync(_host, run)).Count);
        Assert.Equal(2, _vault.Names.Count);
        var itemRows = await RowsAsync("items", accountId);
        Assert.NotEmpty(itemRows);

        var admin = new Dictionary<string, string> { ["X-Admin-Key"] = VaultTestHost.AdminKey };
        var calls = await KeyVaultCallsOfAsync(async () =>
            await HttpAssert.Status(await _host.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}", null, null, admin), 204));

        // Both connection keys deleted (crypto-shredding), and nothing else of the account is left.
        Assert.Equal(2, calls.Count(c => c.Method == "DELETE"));
        Assert.Empty(_vault.Names);
        Assert.Empty(await RowsAsync("connections", accountId));
        Assert.Empty(await RowsAsync("items", accountId));
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 401, ErrorCodes.InvalidApiKey);
        await HttpAssert.Error(await CredentialsAsync(_host, run), 401, ErrorCodes.Unauthorized);

        // Rows copied before the delete open nothing; a second delete is 404.
        var service = new TableServiceClient(AzuriteStorage.ConnectionString);
        foreach (var row in itemRows)
        {
            await service.GetTableClient(_host.TablePrefix + "items").UpsertEntityAsync(row, TableUpdateMode.Replace);
        }

        var store = _host.Services.GetRequiredService<Vault.Core.Items.ItemStore>();
        var reader = _host.Services.GetRequiredService<Vault.Core.Items.SealedSecretsReader>();
        var restored = (await store.LoadConnectionAsync(accountId, connectionId, default)).Where(s => s.SealedSecrets is not null).ToList();
        Assert.NotEmpty(restored);
        foreach (var item in restored)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => reader.OpenAsync(accountId, connectionId, item.Item.ItemId, item.SealedSecrets!, default));
        }

        await HttpAssert.Error(await _host.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}", null, null, admin), 404, ErrorCodes.NotFound);
        Assert.Empty(_host.Logs.Leaked("gh-lifecycle-pw", "shop-lifecycle-pw", MasterPassword, second.ClientSecret));
        _ = other;
    }

    [Fact]
    public async Task An_altered_row_answers_503_with_one_operator_error_and_nothing_is_deleted()
    {
        var account = NewAccount();
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(account);
        var run = await StartRunAsync(_host, apiKey, items);
        var service = new TableServiceClient(AzuriteStorage.ConnectionString);

        // One flipped bit in every sealed item secret: the credential read refuses, and says why.
        var itemTable = service.GetTableClient(_host.TablePrefix + "items");
        foreach (var row in (await RowsAsync("items", accountId)).Where(r => r.GetBinary("Secrets") is not null))
        {
            var altered = row.GetBinary("Secrets").ToArray();
            altered[^1] ^= 1;
            row["Secrets"] = altered;
            await itemTable.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace);
        }

        var cold = await StartHostAsync(_host.TablePrefix); // no item read cache of the rows as they were
        var answer = await CredentialsAsync(cold, run);
        Assert.DoesNotContain("lifecycle-pw", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var message = await HttpAssert.Error(answer, 503, ErrorCodes.VaultUnavailable);
        Assert.Contains("integrity", message, StringComparison.Ordinal);
        Assert.Contains(cold.Logs.All.Split('\n'), l => l.Contains("failed authentication", StringComparison.Ordinal));

        // The same for the sealed provider credentials: the sync is 503, the connection stays active with its items.
        var connections = service.GetTableClient(_host.TablePrefix + "connections");
        var entity = (await connections.GetEntityAsync<TableEntity>(accountId, "conn|" + connectionId)).Value;
        var credentials = entity.GetBinary("Credentials").ToArray();
        credentials[^1] ^= 1;
        entity["Credentials"] = credentials;
        await connections.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Replace);
        await HttpAssert.Error(await cold.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 503, ErrorCodes.VaultUnavailable);
        Assert.Equal(ConnectionStatus.Active, (await ConnectionAsync(cold, accountId, connectionId)).Status);
        Assert.Equal(items.Count, (await HttpAssert.Status(await cold.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray().Count);
        Assert.Empty(cold.Logs.Leaked("gh-lifecycle-pw", "shop-lifecycle-pw", account.ClientSecret));
    }

    [Fact]
    public async Task The_master_password_is_forgotten_after_connect_and_syncs_open_the_vault_without_it()
    {
        var account = NewAccount();
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(account);

        // What the connection keeps, opened with its key: the API key and the user key, not the master password.
        var connection = await ConnectionAsync(_host, accountId, connectionId);
        var stored = JsonNode.Parse(await _host.Services.GetRequiredService<ProviderCalls>().ReadCredentialsAsync(connection, default))!.AsObject();
        Assert.DoesNotContain("masterPassword", stored.Select(p => p.Key));
        Assert.NotNull(stored["userKey"]);
        Assert.Equal(account.ClientSecret, stored["clientSecret"]!.GetValue<string>());

        // Nowhere in the tables in the clear, nor in the logs.
        foreach (var table in new[] { "connections", "items" })
        {
            var rows = await RowsAsync(table, accountId);
            var text = string.Join("\n", rows.SelectMany(r => ((IDictionary<string, object>)r).Values).Select(v => v is byte[] b ? Encoding.UTF8.GetString(b) : v?.ToString()));
            Assert.DoesNotContain(MasterPassword, text, StringComparison.Ordinal);
            Assert.DoesNotContain(account.ClientSecret, text, StringComparison.Ordinal);
        }

        // Syncs read changes with no master password at hand, and the token is renewed without it too.
        account.AddLogin("Wiki", "carol", "wiki-lifecycle-pw", null, [("https://wiki.example.net", null)]);
        var synced = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200))!;
        Assert.Equal(1, synced["sync_summary"]!["added"]!.GetValue<int>());
        _server.RevokeTokens();
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        Assert.Equal(2, _server.TokenRequests);
        Assert.Empty(_host.Logs.Leaked(MasterPassword, account.ClientSecret, "gh-lifecycle-pw"));
        _ = items;
    }

    [Theory]
    [InlineData("password")]
    [InlineData("kdf")]
    public async Task A_changed_master_password_or_kdf_asks_for_a_reconnect_and_keeps_the_cache(string change)
    {
        var account = NewAccount();
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(account);
        if (change == "password")
        {
            account.ChangeMasterPassword("a brand new master password");
        }
        else
        {
            account.Kdf = new KdfSettings(KdfType.Pbkdf2Sha256, 6_000, null, null);
            account.ChangeMasterPassword(MasterPassword);
        }

        _server.RevokeTokens(); // a master-password change ends the sessions; the API key still logs in
        await HttpAssert.Error(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 401, ErrorCodes.Unauthorized);
        var listed = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]![0]!;
        Assert.Equal(ConnectionStatus.ReconnectRequired, listed["status"]!.GetValue<string>());
        Assert.Equal(ErrorCodes.InvalidVaultToken, listed["lastError"]!["code"]!.GetValue<string>());
        Assert.Contains("master password", listed["lastError"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);

        // Nothing was deleted; a re-connect with the (new) master password brings it back.
        Assert.Equal(items.Count, (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray().Count);
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 200);
        Assert.Equal(ConnectionStatus.Active, (await ConnectionAsync(_host, accountId, connectionId)).Status);
    }

    [Fact]
    public async Task A_reconnect_rotates_the_key_seals_every_row_again_and_deletes_the_old_key()
    {
        var account = NewAccount();
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(account);
        var run = await StartRunAsync(_host, apiKey, items);
        var oldKey = (await ConnectionAsync(_host, accountId, connectionId)).KeyId!;

        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Body(account)), 200);
        var newKey = (await ConnectionAsync(_host, accountId, connectionId)).KeyId!;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal([ConnectionKeys.SecretName(connectionId, newKey)], _vault.Names);
        Assert.All((await RowsAsync("items", accountId)).Where(r => r.GetBinary("Secrets") is not null),
            r => Assert.Equal(newKey, KeyedSeal.KeyIdOf(r.GetBinary("Secrets"))));
        Assert.Equal(newKey, KeyedSeal.KeyIdOf((await ConnectionAsync(_host, accountId, connectionId)).SealedCredentials));

        // Everything reads back, here and on a cold instance; syncs go on.
        Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(_host, run));
        Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(await StartHostAsync(_host.TablePrefix), run));
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
    }

    [Fact]
    public async Task Rows_of_the_older_layout_move_to_their_own_key_on_the_next_sync_without_asking_again()
    {
        var account = NewAccount();
        var (accountId, apiKey, connectionId, items) = await ConnectAsync(account);
        var run = await StartRunAsync(_host, apiKey, items);
        await WriteAsOlderLayoutAsync(accountId, connectionId, account);
        Assert.Contains(LegacyAccountKeys.SecretName(accountId), _vault.Names);
        Assert.Contains(LegacyAccountKeys.CredentialsSecretName(connectionId), _vault.Names);

        // The older rows read as they are, on a cold instance (this one still caches the old connection key).
        var cold = await StartHostAsync(_host.TablePrefix);
        Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(cold, run));

        // The next sync moves them: own key, sealed credentials without the master password, old secrets gone.
        await HttpAssert.Status(await cold.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        var moved = await ConnectionAsync(cold, accountId, connectionId);
        Assert.NotNull(moved.KeyId);
        Assert.Equal([ConnectionKeys.SecretName(connectionId, moved.KeyId!)], _vault.Names);
        Assert.All((await RowsAsync("items", accountId)).Where(r => r.GetBinary("Secrets") is not null),
            r => Assert.Equal(moved.KeyId, KeyedSeal.KeyIdOf(r.GetBinary("Secrets"))));
        var stored = JsonNode.Parse(await cold.Services.GetRequiredService<ProviderCalls>().ReadCredentialsAsync(moved, default))!.AsObject();
        Assert.DoesNotContain("masterPassword", stored.Select(p => p.Key));
        Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(cold, run));
        Assert.Equal(["gh-lifecycle-pw", "shop-lifecycle-pw"], await PasswordsAsync(await StartHostAsync(_host.TablePrefix), run));
    }

    /// <summary>
    /// Rewrites a connection as the previous version stored it: credentials (with the master password) in a
    /// <c>cred-</c> secret, item secrets under an account-level <c>datakey-</c> key, no key id on the row.
    /// </summary>
    private async Task WriteAsOlderLayoutAsync(string accountId, string connectionId, FakeBitwardenAccount account)
    {
        var secrets = _host.Services.GetRequiredService<ISecretStore>();
        var connection = await ConnectionAsync(_host, accountId, connectionId);
        var credentials = JsonNode.Parse(await _host.Services.GetRequiredService<ProviderCalls>().ReadCredentialsAsync(connection, default))!.AsObject();
        credentials.Remove("userKey");
        credentials.Remove("unlockFingerprint");
        credentials["masterPassword"] = account.MasterPassword;
        await secrets.SetAsync(LegacyAccountKeys.CredentialsSecretName(connectionId), credentials.ToJsonString(), default);

        var accountKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        await secrets.SetAsync(LegacyAccountKeys.SecretName(accountId), Convert.ToBase64String(accountKey), default);
        var reader = _host.Services.GetRequiredService<SealedSecretsReader>();
        var items = new TableServiceClient(AzuriteStorage.ConnectionString).GetTableClient(_host.TablePrefix + "items");
        foreach (var row in await RowsAsync("items", accountId))
        {
            if (row.GetBinary("Secrets") is { } sealedValue)
            {
                var itemId = row.GetString("ItemId");
                var open = await reader.OpenAsync(accountId, connectionId, itemId, sealedValue, default);
                row["Secrets"] = AesGcmSealer.Seal(accountKey,
                    System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(open, ItemJson.Default.ItemSecrets),
                    Encoding.UTF8.GetBytes($"vault-item|{accountId}|{itemId}"));
                await items.UpdateEntityAsync(row, ETag.All, TableUpdateMode.Replace);
            }
        }

        var connections = new TableServiceClient(AzuriteStorage.ConnectionString).GetTableClient(_host.TablePrefix + "connections");
        var entity = (await connections.GetEntityAsync<TableEntity>(accountId, "conn|" + connectionId)).Value;
        entity.Remove("KeyId");
        entity.Remove("Credentials");
        await connections.UpdateEntityAsync(entity, ETag.All, TableUpdateMode.Replace);
        await secrets.DeleteAsync(ConnectionKeys.SecretName(connectionId, connection.KeyId!), default);
    }
}
