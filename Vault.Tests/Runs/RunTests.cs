using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Vault.Core.Runs;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Runs;

[Trait(TestKind.Trait, TestKind.Http)]
public sealed class RunTests : ApiTestBase
{
    private const string TotpSeed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:10Z", System.Globalization.CultureInfo.InvariantCulture));

    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Vault:RunTokenLifetime"] = "00:05:00" };

    protected override FakeTimeProvider Clock => _clock;

    private async Task<(string ApiKey, JsonNode Connection)> SetUpAsync()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var connection = await ConnectBitwardenAsync(apiKey, NewClientId(),
            Login("gh", "GitHub", "https://github.com/login", password: "gh-password", totp: "otpauth://totp/GitHub:alice?secret=" + TotpSeed),
            Login("gh2", "GitHub work", "https://github.com", username: "alice-work", password: "gh-work-password"),
            Login("steam", "Steam", "https://store.steampowered.com", password: "steam-pw", totp: "steam://" + TotpSeed),
            Login("exact", "Exact only", "https://exact.example.com/login", password: "exact-pw", match: Vault.Core.Domains.UriMatch.Never));
        return (apiKey, connection);
    }

    private static string ItemId(JsonNode connection, string label) =>
        connection["items"]!.AsArray().Single(i => i!["label"]!.GetValue<string>() == label)!["itemId"]!.GetValue<string>();

    private async Task<JsonNode> CreateRunAsync(string apiKey, JsonObject body, int status = 201) =>
        (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, body), status))!;

    private async Task<HttpResponseMessage> CredentialsAsync(string runId, string? token, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/credentials{query}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await Host.Client.SendAsync(request);
    }

    [Fact]
    public async Task Explicit_ids_grant_exactly_those_items_with_live_totp()
    {
        var (apiKey, connection) = await SetUpAsync();
        var github = ItemId(connection, "GitHub");
        var run = await CreateRunAsync(apiKey, new JsonObject
        {
            ["url"] = "https://github.com/login", ["goal"] = "star a repo", ["use_vault"] = true,
            ["credential_item_ids"] = new JsonArray(github, github),
        });
        Assert.StartsWith("run-", run["runId"]!.GetValue<string>());
        Assert.Equal("created", run["status"]!.GetValue<string>());
        var token = run["runToken"]!.GetValue<string>();
        Assert.Equal([github], run["credentials"]!.AsArray().Select(c => c!["itemId"]!.GetValue<string>()));
        Assert.DoesNotContain("gh-password", run.ToJsonString());

        var body = (await HttpAssert.Status(await CredentialsAsync(run["runId"]!.GetValue<string>(), token), 200))!;
        var credential = body["credentials"]!.AsArray().Single()!;
        Assert.Equal("gh-password", credential["password"]!.GetValue<string>());
        Assert.Equal("alice@example.com", credential["username"]!.GetValue<string>());
        var totp = credential["totp"]!;
        var expected = TotpGenerator.Compute("otpauth://totp/x?secret=" + TotpSeed, _clock.GetUtcNow())!;
        Assert.Equal(6, totp["code"]!.GetValue<string>().Length);
        Assert.Equal(expected.Code, totp["code"]!.GetValue<string>());
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T08:00:30Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(totp["expiresAt"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));

        var fetched = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Get, $"/v1/runs/{run["runId"]}", apiKey), 200))!;
        Assert.Null(fetched["runToken"]);
        Assert.Equal(run["credentials"]!.ToJsonString(), fetched["credentials"]!.ToJsonString());

        // Narrowing by a domain the item does not match.
        Assert.Empty((await HttpAssert.Status(await CredentialsAsync(run["runId"]!.GetValue<string>(), token, "?domain=gitlab.com"), 200))!["credentials"]!.AsArray());

        // The whole run flow logged nothing secret.
        Assert.Empty(Host.Logs.Leaked("gh-password", TotpSeed, token));
        Assert.Contains(Host.Logs.Lines, l => l.Contains("read 1 credentials", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Use_vault_alone_grants_every_enabled_item_but_requires_a_domain()
    {
        var (apiKey, connection) = await SetUpAsync();
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(ItemId(connection, "GitHub work")), apiKey,
            new JsonObject { ["enabled"] = false }), 200);
        var run = await CreateRunAsync(apiKey, new JsonObject { ["url"] = "https://github.com", ["use_vault"] = true });
        Assert.Equal(3, run["credentials"]!.AsArray().Count);
        var runId = run["runId"]!.GetValue<string>();
        var token = run["runToken"]!.GetValue<string>();

        await HttpAssert.Error(await CredentialsAsync(runId, token), 400, "INVALID_INPUT");
        var github = (await HttpAssert.Status(await CredentialsAsync(runId, token, "?domain=" + Uri.EscapeDataString("https://github.com/settings")), 200))!;
        Assert.Equal(["GitHub"], github["credentials"]!.AsArray().Select(c => c!["label"]!.GetValue<string>()));

        var steam = (await HttpAssert.Status(await CredentialsAsync(runId, token, "?domain=store.steampowered.com"), 200))!["credentials"]![0]!;
        Assert.Matches("^[23456789BCDFGHJKMNPQRTVWXY]{5}$", steam["totp"]!["code"]!.GetValue<string>());

        // A URI whose match detection is Never is never matched.
        Assert.Empty((await HttpAssert.Status(await CredentialsAsync(runId, token, "?domain=exact.example.com"), 200))!["credentials"]!.AsArray());

        // The grant is fixed at creation: an item added later is not granted.
        var sync = Host.Bitwarden.Accounts.Values.Single(a => a.Items.Any(i => i.ProviderItemId == "gh"));
        sync.Items.Add(Login("late", "GitHub late", "https://github.com", password: "late-pw"));
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey), 200);
        var after = (await HttpAssert.Status(await CredentialsAsync(runId, token, "?domain=github.com"), 200))!;
        Assert.Equal(["GitHub"], after["credentials"]!.AsArray().Select(c => c!["label"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Unknown_foreign_and_disabled_ids_are_refused()
    {
        var (apiKey, connection) = await SetUpAsync();
        var (_, otherKey) = await Host.CreateAccountAsync("other");
        var foreign = (await ConnectBitwardenAsync(otherKey, NewClientId(), Login("f", "Foreign", "foreign.example.com")))["items"]![0]!["itemId"]!.GetValue<string>();
        var disabled = ItemId(connection, "Steam");
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(disabled), apiKey, new JsonObject { ["enabled"] = false }), 200);

        var response = await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["credential_item_ids"] = new JsonArray(ItemId(connection, "GitHub"), "cred:nope:x:y", foreign, disabled),
        });
        var message = await HttpAssert.Error(response, 400, "UNKNOWN_CREDENTIAL_ITEM");
        Assert.Contains("cred:nope:x:y", message);
        Assert.Contains(foreign, message);
        Assert.Contains(disabled, message);
        Assert.DoesNotContain(ItemId(connection, "GitHub"), message);

        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["use_vault"] = false, ["credential_item_ids"] = new JsonArray(ItemId(connection, "GitHub")),
        }), 400, "INVALID_INPUT");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["credential_item_ids"] = "cred:x" }), 400, "INVALID_INPUT");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["url"] = "javascript:alert(1)" }), 400, "INVALID_INPUT");

        var none = await CreateRunAsync(apiKey, new JsonObject { ["url"] = "https://example.com" });
        Assert.Empty(none["credentials"]!.AsArray());
        Assert.Empty((await HttpAssert.Status(await CredentialsAsync(none["runId"]!.GetValue<string>(), none["runToken"]!.GetValue<string>()), 200))!["credentials"]!.AsArray());
    }

    [Fact]
    public async Task Only_the_runs_own_unexpired_token_reads_credentials()
    {
        var (apiKey, connection) = await SetUpAsync();
        var ids = new JsonArray(ItemId(connection, "GitHub"));
        var run = await CreateRunAsync(apiKey, new JsonObject { ["credential_item_ids"] = ids });
        var other = await CreateRunAsync(apiKey, new JsonObject { ["credential_item_ids"] = ids.DeepClone() });
        var runId = run["runId"]!.GetValue<string>();

        await HttpAssert.Error(await CredentialsAsync(runId, null), 401, "UNAUTHORIZED");
        await HttpAssert.Error(await CredentialsAsync(runId, other["runToken"]!.GetValue<string>()), 401, "UNAUTHORIZED");
        await HttpAssert.Error(await CredentialsAsync(runId, apiKey), 401, "UNAUTHORIZED");
        await HttpAssert.Error(await CredentialsAsync("run-unknown", run["runToken"]!.GetValue<string>()), 401, "UNAUTHORIZED");
        // A run token is not an API key.
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}", run["runToken"]!.GetValue<string>()), 401, "INVALID_API_KEY");
        // Another account cannot see the run.
        var (_, otherKey) = await Host.CreateAccountAsync("other");
        await HttpAssert.Error(await Host.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}", otherKey), 404, "NOT_FOUND");

        await HttpAssert.Status(await CredentialsAsync(runId, run["runToken"]!.GetValue<string>()), 200);
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        await HttpAssert.Status(await CredentialsAsync(runId, run["runToken"]!.GetValue<string>()), 200);
        _clock.Advance(TimeSpan.FromTicks(1)); // the token's lifetime is over
        await HttpAssert.Error(await CredentialsAsync(runId, run["runToken"]!.GetValue<string>()), 401, "UNAUTHORIZED");
    }

    [Fact]
    public async Task Deleting_a_connection_revokes_its_items_from_grants()
    {
        var (apiKey, connection) = await SetUpAsync();
        var run = await CreateRunAsync(apiKey, new JsonObject { ["credential_item_ids"] = new JsonArray(ItemId(connection, "GitHub")) });
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connection["connectionId"]}", apiKey), 200);
        var body = (await HttpAssert.Status(await CredentialsAsync(run["runId"]!.GetValue<string>(), run["runToken"]!.GetValue<string>()), 200))!;
        Assert.Empty(body["credentials"]!.AsArray());
    }

    [Fact]
    public async Task Access_is_audited_and_secrets_not_cached_yet_are_read_live_once_then_served_from_the_cache()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var token = "ops_" + new string('b', 40);
        var vault = Host.OnePassword.Account(token[4..20]);
        vault.Items.Add(Login("x1", "Shop", "https://shop.example.com", vault: "Team", vaultId: "v1", password: "live-pw"));
        vault.Items.Add(Login("x2", "Bank", "https://bank.example.com", vault: "Team", vaultId: "v1", password: "bank-pw"));
        var connection = await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject { ["provider"] = "1password", ["token"] = token }), 201);
        var shopId = connection!["items"]!.AsArray().Single(i => i!["label"]!.GetValue<string>() == "Shop")!["itemId"]!.GetValue<string>();
        var bankId = connection["items"]!.AsArray().Single(i => i!["label"]!.GetValue<string>() == "Bank")!["itemId"]!.GetValue<string>();
        var run = await CreateRunAsync(apiKey, new JsonObject { ["credential_item_ids"] = new JsonArray(shopId) });
        var runId = run["runId"]!.GetValue<string>();

        var body = (await HttpAssert.Status(await CredentialsAsync(runId, run["runToken"]!.GetValue<string>()), 200))!;
        Assert.Equal("live-pw", body["credentials"]![0]!["password"]!.GetValue<string>());
        Assert.Equal(1, vault.SecretReads);

        var audit = (AuditLog)Host.Services.GetService(typeof(AuditLog))!;
        var rows = (await audit.ReadPageAsync(runId, 100, null, CancellationToken.None)).Entries;
        Assert.Single(rows);
        Assert.Contains(shopId, rows[0].ItemIds);

        // Read once, cached: the provider failing now changes nothing for this item, and it is not asked again.
        vault.Mode = ScriptedMode.Unavailable;
        body = (await HttpAssert.Status(await CredentialsAsync(runId, run["runToken"]!.GetValue<string>()), 200))!;
        Assert.Equal("live-pw", body["credentials"]![0]!["password"]!.GetValue<string>());
        Assert.Equal(1, vault.SecretReads);

        // An item not read yet needs the provider: while it fails, a 503 with nothing secret in it.
        var bankRun = await CreateRunAsync(apiKey, new JsonObject { ["credential_item_ids"] = new JsonArray(bankId) });
        var failed = await CredentialsAsync(bankRun["runId"]!.GetValue<string>(), bankRun["runToken"]!.GetValue<string>());
        Assert.DoesNotContain("bank-pw", await failed.Content.ReadAsStringAsync());
        await HttpAssert.Error(failed, 503, Vault.Core.Errors.ErrorCodes.VaultUnavailable);
    }
}
