using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Core;
using Vault.Core.Errors;
using Vault.Core.Runs;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Storage;

/// <summary>
/// Key Vault throttling (429 with Retry-After) or failing (503) in the middle of a connect or a run's credential read:
/// the caller gets 503 (with Retry-After where Key Vault gave one), and nothing half-made stays behind.
/// The SDK's own retries are off so that one injected failure reaches the service.
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class KeyVaultFaultTests : IAsyncLifetime
{
    private FakeKeyVault _vault = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _vault = await FakeKeyVault.StartAsync();
        _host = await StartHostAsync(null);
    }

    private Task<VaultTestHost> StartHostAsync(string? tablePrefix)
    {
        var settings = new Dictionary<string, string> { ["Vault:KeyVaultUri"] = _vault.VaultUri.ToString(), ["Vault:AllowLocalSecretStore"] = "false" };
        if (tablePrefix is not null)
        {
            settings["Vault:TablePrefix"] = tablePrefix; // a second instance on the same tables
        }

        return VaultTestHost.StartAsync(settings, services => services.AddSingleton<ISecretStore>(new KeyVaultSecretStore(_vault.CreateClient(maxRetries: 0))));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vault.DisposeAsync();
    }

    private static JsonObject Bitwarden(string clientId) =>
        new() { ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "kv-fault-secret", ["masterPassword"] = "kv-fault-master" };

    private Task<List<TableEntity>> RowsAsync(string table, string accountId) => AzuriteStorage.PartitionAsync(_host.TablePrefix + table, accountId);

    private async Task<HttpResponseMessage> CredentialsAsync(VaultTestHost host, JsonNode run, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        return await host.Client.SendAsync(request);
    }

    [Theory]
    [InlineData(429, 7)]
    [InlineData(503, 0)]
    public async Task Key_vault_failing_during_a_connect_is_503_and_leaves_nothing_half_made(int status, int retryAfter)
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        _host.Bitwarden.Account(clientId).Items.Add(Login("1", "GitHub", "github.com"));

        // Creating the connection's key in Key Vault (the connect's one Key Vault write) is what fails.
        _vault.FailNext(status, 1, retryAfter > 0 ? TimeSpan.FromSeconds(retryAfter) : null);
        var failed = await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Bitwarden(clientId));
        await HttpAssert.Error(failed, 503, ErrorCodes.VaultUnavailable);
        Assert.Equal(retryAfter > 0 ? TimeSpan.FromSeconds(retryAfter) : null, failed.Headers.RetryAfter?.Delta);
        Assert.Contains(_vault.Requests, r => r.Method == "PUT" && r.Path.StartsWith("/secrets/ckey-", StringComparison.Ordinal) && r.Status == status);

        // Nothing half-made: no connection, claim, slot, item or stored credential.
        Assert.Empty((await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!["connections"]!.AsArray());
        Assert.Empty(await RowsAsync("connections", accountId));
        Assert.Empty(await RowsAsync("items", accountId));
        Assert.Empty(_vault.Names);

        // Once Key Vault answers again, the same identity connects, and both slots are there to use.
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Bitwarden(clientId)), 201);
        var second = "user." + Guid.NewGuid();
        _host.Bitwarden.Account(second).Items.Add(Login("2", "GitLab", "gitlab.com"));
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Bitwarden(second)), 201);
        Assert.Empty(_host.Logs.Leaked("kv-fault-secret", "kv-fault-master"));
    }

    [Fact]
    public async Task Key_vault_throttling_a_live_credential_read_is_503_with_retry_after_and_no_secret()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var token = "ops_" + new string('k', 40);
        _host.OnePassword.Account(token[4..20]).Items.Add(Login("x1", "Shop", "https://shop.example.com", vault: "Team", vaultId: "v1", password: "live-kv-pw"));
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "1password", ["token"] = token }), 201))!;
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey,
            new JsonObject { ["credential_item_ids"] = new JsonArray(connection["items"]![0]!["itemId"]!.GetValue<string>()) }), 201))!;

        // A warm instance has the connection's key; a cold one must read it from Key Vault for the live read: throttled.
        await using var fresh = await StartHostAsync(_host.TablePrefix);
        fresh.OnePassword.Account(token[4..20]).Items.Add(Login("x1", "Shop", "https://shop.example.com", vault: "Team", vaultId: "v1", password: "live-kv-pw"));
        _vault.FailNext(429, 1, TimeSpan.FromSeconds(9));
        var failed = await CredentialsAsync(fresh, run);
        Assert.DoesNotContain("live-kv-pw", await failed.Content.ReadAsStringAsync());
        await HttpAssert.Error(failed, 503, ErrorCodes.VaultUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(9), failed.Headers.RetryAfter?.Delta);

        var body = (await HttpAssert.Status(await CredentialsAsync(fresh, run), 200))!;
        Assert.Equal("live-kv-pw", body["credentials"]![0]!["password"]!.GetValue<string>());
    }

    [Fact]
    public async Task Key_vault_down_when_an_instance_first_needs_the_data_key_is_503_and_audits_nothing()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        _host.Bitwarden.Account(clientId).Items.Add(Login("1", "GitHub", "github.com", password: "cached-kv-pw"));
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, Bitwarden(clientId)), 201))!;
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey,
            new JsonObject { ["credential_item_ids"] = new JsonArray(connection["items"]![0]!["itemId"]!.GetValue<string>()) }), 201))!;

        // A second instance has not read the connection's key yet; Key Vault is down when it must.
        await using var fresh = await StartHostAsync(_host.TablePrefix);
        _vault.FailAlways(true);
        try
        {
            var failed = await CredentialsAsync(fresh, run);
            Assert.DoesNotContain("cached-kv-pw", await failed.Content.ReadAsStringAsync());
            await HttpAssert.Error(failed, 503, ErrorCodes.VaultUnavailable);
        }
        finally
        {
            _vault.FailAlways(false);
        }

        // No audit record of a read that never happened; the retry reads and is audited once.
        var audit = fresh.Services.GetRequiredService<AuditLog>();
        Assert.Empty((await audit.ReadPageAsync(run["runId"]!.GetValue<string>(), 100, null, default)).Entries);
        var body = (await HttpAssert.Status(await CredentialsAsync(fresh, run), 200))!;
        Assert.Equal("cached-kv-pw", body["credentials"]![0]!["password"]!.GetValue<string>());
        Assert.Single((await audit.ReadPageAsync(run["runId"]!.GetValue<string>(), 100, null, default)).Entries);
    }
}

/// <summary>
/// Storage stopped in the middle of a sync and started again: that sync answers 503, the cache is as it was, and the
/// next sync converges. Runs against an Azurite of its own (on disk, so a restart keeps the data).
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class StorageFaultTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private AzuriteProcess _azurite = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _azurite = await AzuriteProcess.StartAsync();
        _host = await VaultTestHost.StartAsync(
            new Dictionary<string, string> { ["AzureWebJobsStorage"] = _azurite.ConnectionString },
            services => services.AddSingleton<TimeProvider>(_clock));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Storage_stopped_during_a_sync_is_503_the_cache_stays_intact_and_the_next_sync_converges()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        var vault = _host.Bitwarden.Account(clientId);
        vault.Items.Add(Login("1", "GitHub", "github.com"));
        vault.Items.Add(Login("2", "GitLab", "gitlab.com"));
        await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m" }), 201);

        // The vault changed; the sync that reads it is held while storage goes away.
        vault.Items.RemoveAt(1);
        vault.Items.Add(Login("3", "Codeberg", "codeberg.org"));
        vault.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sync = _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject());
        Assert.True(await vault.ReadStarted.WaitAsync(TimeSpan.FromSeconds(30)));
        await _azurite.StopAsync();
        vault.Gate.SetResult();
        await HttpAssert.Error(await sync, 503, ErrorCodes.VaultUnavailable);

        await _azurite.StartAgainAsync();
        var items = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray();
        Assert.Equal(["GitHub", "GitLab"], items.Select(i => i!["label"]!.GetValue<string>()));

        // The failed sync could not release its lease; it expires, and the next sync converges on the vault.
        _clock.Advance(_host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<VaultOptions>>().Value.SyncLeaseDuration);
        var synced = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200))!;
        Assert.Equal(["Codeberg", "GitHub"], synced["items"]!.AsArray().Select(i => i!["label"]!.GetValue<string>()));
        Assert.Equal(["Codeberg", "GitHub"], (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 200))!["items"]!.AsArray()
            .Select(i => i!["label"]!.GetValue<string>()));
    }
}
