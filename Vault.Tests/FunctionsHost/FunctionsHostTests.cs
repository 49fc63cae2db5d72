using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Vault.Core.Errors;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;
using Vault.Tests.Infrastructure;
using Vault.Tests.OnePassword;
using Xunit.Abstractions;

namespace Vault.Tests.FunctionsHost;

/// <summary>
/// The flows that matter most, over HTTP against the app under the real Azure Functions host (one host for all of them,
/// see <see cref="FunctionsHostFixture"/>), with the real providers against their fakes. A page or document that must be
/// served as in standalone mode is one line in <see cref="Pages"/>.
/// </summary>
[Trait(TestKind.Trait, TestKind.Host)]
[Collection(FunctionsHostFixture.Collection)]
public sealed partial class FunctionsHostTests(FunctionsHostFixture fixture, ITestOutputHelper output)
{
    private const string HostHomepageTitle = "Your Azure Function App is up and running";
    private static readonly KdfSettings Kdf = new(KdfType.Pbkdf2Sha256, 5_000, null, null);

    /// <summary>
    /// Paths served under the host exactly as standalone (status, media type, body), with every same-site asset an
    /// HTML page references. Add a page with one line: path and media type.
    /// </summary>
    public static TheoryData<string, string> Pages => new()
    {
        { "/v1/openapi.json", "application/json" },
        { "/", "text/html" },
        { "/docs", "text/html" },
    };

    private HttpClient Client => fixture.Client;

    [FunctionsHostFact]
    public async Task Host_starts_and_answers_health()
    {
        output.WriteLine($"Functions host: {FunctionsHostLocator.Command}; app: {fixture.AppDirectory}; up in {fixture.StartupTime.TotalSeconds:F1} s; log: {fixture.Host.LogPath}");
        var health = await HttpAssert.Status(await Client.GetAsync("/v1/health"), 200);
        Assert.Equal("ok", health!["status"]!.GetValue<string>());
    }

    [FunctionsHostFact]
    public async Task Every_function_indexes_under_the_host()
    {
        var names = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.AppDirectory, "functions.metadata")))!
            .AsArray().Select(f => f!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("ResyncTimer", names);
        Assert.True(await fixture.Host.WaitForLogAsync("Found the following functions:", TimeSpan.FromSeconds(30)), fixture.Host.Tail());

        var log = fixture.Host.Log;
        foreach (var problem in new[] { "Error indexing method", "failed indexing and will be disabled", "is in error", "does not resolve to a value" })
        {
            Assert.False(log.Contains(problem, StringComparison.Ordinal), $"The host log reports \"{problem}\": {fixture.Host.LogPath}");
        }

        // The host lists the functions it enabled; a disabled one is missing from that list.
        var found = log[log.IndexOf("Found the following functions:", StringComparison.Ordinal)..];
        Assert.All(names, name => Assert.Contains($"Host.Functions.{name}\n", found, StringComparison.Ordinal));
    }

    [FunctionsHostFact]
    public async Task The_root_is_not_the_hosts_homepage()
    {
        // AzureWebJobsDisableHomepage (from local.settings.sample.json here) leaves `/` to the app: with no function there
        // the host answers an empty 204; the dashboard, once served, is checked in Pages.
        using var response = await Client.GetAsync("/");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(HostHomepageTitle, body, StringComparison.Ordinal);
    }

    [FunctionsHostTheory]
    [MemberData(nameof(Pages))]
    public async Task Served_as_in_standalone_mode_with_its_assets(string path, string mediaType)
    {
        var (hosted, hostedBody) = await GetAsync(Client, path);
        var (standalone, standaloneBody) = await GetAsync(fixture.Standalone.Client, path);
        Assert.Equal(HttpStatusCode.OK, hosted.StatusCode);
        Assert.Equal(mediaType, hosted.Content.Headers.ContentType?.MediaType);
        Assert.Equal(standalone.Content.Headers.ContentType?.ToString(), hosted.Content.Headers.ContentType?.ToString());
        Assert.Equal(standaloneBody, hostedBody);
        if (mediaType == "application/json")
        {
            Assert.NotNull(JsonNode.Parse(hostedBody));
        }

        Assert.DoesNotContain(HostHomepageTitle, hostedBody, StringComparison.Ordinal);
        foreach (var asset in SameSiteReferences(hostedBody, new Uri(Client.BaseAddress!, path)))
        {
            using var response = await Client.GetAsync(asset);
            Assert.True(response.IsSuccessStatusCode, $"{path} references {asset}, which answered {(int)response.StatusCode} under the host");
            Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [FunctionsHostFact]
    public async Task OpenApi_document_describes_the_routes_the_host_serves()
    {
        var document = (await HttpAssert.Status(await Client.GetAsync("/v1/openapi.json"), 200))!;
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var routes = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(fixture.AppDirectory, "functions.metadata")))!.AsArray()
            .SelectMany(f => f!["bindings"]!.AsArray())
            .Where(b => b!["type"]!.GetValue<string>() == "httpTrigger")
            .SelectMany(b => b!["methods"]!.AsArray().Select(m => $"{m!.GetValue<string>().ToUpperInvariant()} /{b["route"]!.GetValue<string>()}"))
            .ToHashSet();
        var documented = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Select(op => $"{op.Key.ToUpperInvariant()} {p.Key}"))
            .Where(op => !op.StartsWith("PARAMETERS ", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(documented);
        Assert.All(documented, op => Assert.Contains(op, routes));
    }

    [FunctionsHostFact]
    public async Task Bitwarden_connect_list_filter_sync_run_credentials_and_delete()
    {
        var apiKey = await CreateAccountAsync();
        var account = fixture.Bitwarden.AddAccount($"alice-{Guid.NewGuid():N}@example.com", "host-master-pw-" + Guid.NewGuid().ToString("N")[..8], Kdf);
        account.AddLogin("GitHub", "alice", "gh-host-pw-7731", "otpauth://totp/GitHub:alice?secret=JBSWY3DPEHPK3PXP", [("https://github.com/login", null)]);
        account.AddLogin("Shop", "alice@example.com", "shop-host-pw-1190", null, [("https://shop.example.org", null)], perCipherKey: true);

        var connection = (await HttpAssert.Status(await SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = account.ClientId, ["clientSecret"] = account.ClientSecret,
            ["masterPassword"] = account.MasterPassword, ["serverUrl"] = fixture.Bitwarden.BaseUrl,
        }), 201))!;
        var connectionId = connection["connectionId"]!.GetValue<string>();
        Assert.Equal(["GitHub", "Shop"], Labels(connection["items"]!));

        Assert.Equal(["GitHub", "Shop"], Labels((await ListAsync(apiKey, ""))["items"]!));
        var github = (await ListAsync(apiKey, "?domain=github.com"))["items"]!.AsArray().Single()!;
        Assert.Equal("GitHub", github["label"]!.GetValue<string>());
        Assert.Empty((await ListAsync(apiKey, "?domain=unrelated.example"))["items"]!.AsArray());

        // The background resync of this connection may come first (it is due after seconds here): the item is added once.
        account.AddLogin("Wiki", "alice", "wiki-host-pw-5521", null, [("https://wiki.example.net", null)]);
        var sync = (await HttpAssert.Status(await SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200))!;
        Assert.InRange(sync["sync_summary"]!["added"]!.GetValue<int>(), 0, 1);
        Assert.Equal(["GitHub", "Shop", "Wiki"], Labels((await ListAsync(apiKey, ""))["items"]!));

        var credential = await RunCredentialAsync(apiKey, github["itemId"]!.GetValue<string>());
        Assert.Equal("alice", credential["username"]!.GetValue<string>());
        Assert.Equal("gh-host-pw-7731", credential["password"]!.GetValue<string>());
        Assert.Matches("^[0-9]{6}$", credential["totp"]!["code"]!.GetValue<string>());

        var deleted = (await HttpAssert.Status(await SendAsync(HttpMethod.Delete, $"/v1/vault/connections/{connectionId}", apiKey), 200))!;
        Assert.True(deleted["disconnected"]!.GetValue<bool>());
        Assert.Equal(connectionId, deleted["connectionId"]!.GetValue<string>());

        await HttpAssert.Error(await SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, ErrorCodes.NoConnections);
        AssertNoSecretInHostLog(account.ClientSecret, account.MasterPassword, "gh-host-pw-7731", "shop-host-pw-1190", "wiki-host-pw-5521", "JBSWY3DPEHPK3PXP");
    }

    [FunctionsHostFact]
    public async Task OnePassword_connect_list_filter_sync_and_run_credentials()
    {
        var apiKey = await CreateAccountAsync();
        var account = fixture.OnePassword.CreateAccount();
        var data = StandardData.Seed(account);
        var token = account.MintToken();

        var connection = (await HttpAssert.Status(await SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "1password", ["token"] = token }), 201))!;
        Assert.Equal(["AWS Console", "GitHub", "Intranet", "Legacy Forum", "Router admin"], Labels(connection["items"]!).Order());

        var github = (await ListAsync(apiKey, "?domain=github.com"))["items"]!.AsArray().Single()!;
        Assert.Equal("GitHub", github["label"]!.GetValue<string>());

        data.Acme.AddLogin("Jira", "alice@acme.example", "jira-host-pw-1", [("https://acme.atlassian.net", "website", null)]);
        var sync = (await HttpAssert.Status(await SendAsync(HttpMethod.Post, "/v1/vault/items/sync", apiKey, new JsonObject()), 200))!;
        Assert.Equal(1, sync["sync_summary"]!["added"]!.GetValue<int>());
        Assert.Equal(0, sync["sync_summary"]!["removed"]!.GetValue<int>());
        Assert.Equal("Jira", (await ListAsync(apiKey, "?domain=atlassian.net"))["items"]!.AsArray().Single()!["label"]!.GetValue<string>());

        var credential = await RunCredentialAsync(apiKey, github["itemId"]!.GetValue<string>());
        Assert.Equal(StandardData.GitHubPassword, credential["password"]!.GetValue<string>()); // read live from the provider
        Assert.Matches("^[0-9]{6}$", credential["totp"]!["code"]!.GetValue<string>());
        AssertNoSecretInHostLog([.. account.SecretStrings(), token, "jira-host-pw-1"]);
    }

    [FunctionsHostFact]
    public async Task Errors_carry_the_contract_body_under_the_host()
    {
        await HttpAssert.Error(await SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey: null), 401, ErrorCodes.MissingApiKey);
        await HttpAssert.Error(await SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey: "vk_not-a-key"), 401, ErrorCodes.InvalidApiKey);

        var apiKey = await CreateAccountAsync();
        await HttpAssert.Error(await SendAsync(HttpMethod.Get, "/v1/vault/items", apiKey), 404, ErrorCodes.NoConnections);
        await HttpAssert.Error(await SendRawAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, "{\"provider\": "), 400, ErrorCodes.InvalidInput);
        await HttpAssert.Error(await SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject { ["provider"] = "lastpass" }), 400, ErrorCodes.InvalidInput);
        await HttpAssert.Error(await SendAsync(HttpMethod.Delete, "/v1/vault/connections/conn_unknown", apiKey), 404, ErrorCodes.NotFound);
        await HttpAssert.Error(await SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["url"] = "https://example.com", ["goal"] = "g", ["use_vault"] = true, ["credential_item_ids"] = new JsonArray("cred:conn-x:v:i"),
        }), 400, ErrorCodes.UnknownCredentialItem);

        var revoked = fixture.OnePassword.CreateAccount();
        revoked.Revoked = true;
        await HttpAssert.Error(await SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey,
            new JsonObject { ["provider"] = "1password", ["token"] = revoked.MintToken() }), 400, ErrorCodes.InvalidVaultToken);

        // An unknown API path, or a known one with another method, is the contract's 404 body under the host too.
        await HttpAssert.Error(await Client.GetAsync("/v1/no-such-route"), 404, ErrorCodes.NotFound);
        await HttpAssert.Error(await SendAsync(HttpMethod.Put, "/v1/usage", apiKey), 404, ErrorCodes.NotFound);
        await HttpAssert.Status(await Client.GetAsync("/v1/health"), 200); // declared routes still win over the catch-all

        using var credentials = new HttpRequestMessage(HttpMethod.Get, "/v1/runs/run-unknown/credentials");
        credentials.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-a-run-token");
        await HttpAssert.Error(await Client.SendAsync(credentials), 401, ErrorCodes.Unauthorized);
    }

    [FunctionsHostFact]
    public async Task Timer_enqueues_and_the_queue_trigger_resyncs_a_connection()
    {
        var apiKey = await CreateAccountAsync();
        var account = fixture.Bitwarden.AddAccount($"bob-{Guid.NewGuid():N}@example.com", "resync-master-" + Guid.NewGuid().ToString("N")[..8], Kdf);
        account.AddLogin("Mail", "bob", "mail-host-pw-3301", null, [("https://mail.example.com", null)]);
        var connection = (await HttpAssert.Status(await SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = account.ClientId, ["clientSecret"] = account.ClientSecret,
            ["masterPassword"] = account.MasterPassword, ["serverUrl"] = fixture.Bitwarden.BaseUrl,
        }), 201))!;
        var connectedAt = connection["lastSyncedAt"]?.GetValue<string>();

        // Changed at the provider, and nobody calls sync: only the timer → queue → resync path can bring it in.
        account.AddLogin("Calendar", "bob", "cal-host-pw-8812", null, [("https://calendar.example.com", null)]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(90);
        JsonNode listed;
        do
        {
            await Task.Delay(500);
            listed = await ListAsync(apiKey, "");
        }
        while (Labels(listed["items"]!).Count < 2 && clock.Elapsed < deadline);

        output.WriteLine($"Background resync brought the change in {clock.Elapsed.TotalSeconds:F1} s (due after {FunctionsHostFixture.ResyncInterval.TotalSeconds} s × jitter)");
        Assert.True(Labels(listed["items"]!).SequenceEqual(["Calendar", "Mail"]), $"Not resynced within {deadline}: {listed.ToJsonString()}\n{fixture.Host.Tail()}");
        var connections = (await HttpAssert.Status(await SendAsync(HttpMethod.Get, "/v1/vault/connections", apiKey), 200))!;
        Assert.NotEqual(connectedAt, connections["connections"]![0]!["lastSyncedAt"]?.GetValue<string>());

        // Both triggers ran under the host (not an HTTP sync).
        Assert.True(await fixture.Host.WaitForLogAsync("Executed 'Functions.ResyncTimer' (Succeeded", TimeSpan.FromSeconds(10)), fixture.Host.Tail());
        Assert.True(await fixture.Host.WaitForLogAsync("Executed 'Functions.ResyncConnection' (Succeeded", TimeSpan.FromSeconds(10)), fixture.Host.Tail());
        AssertNoSecretInHostLog(account.ClientSecret, account.MasterPassword, "mail-host-pw-3301", "cal-host-pw-8812");
    }

    private async Task<string> CreateAccountAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/accounts") { Content = VaultTestHost.Json(new JsonObject { ["name"] = "host-test" }) };
        request.Headers.Add("X-Admin-Key", FunctionsHostFixture.AdminKey);
        return (await HttpAssert.Status(await Client.SendAsync(request), 201))!["apiKey"]!.GetValue<string>();
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? apiKey, JsonNode? body = null) =>
        SendRawAsync(method, path, apiKey, body?.ToJsonString());

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? apiKey, string? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }

        return await Client.SendAsync(request);
    }

    private async Task<JsonNode> ListAsync(string apiKey, string query) =>
        (await HttpAssert.Status(await SendAsync(HttpMethod.Get, "/v1/vault/items" + query, apiKey), 200))!;

    /// <summary>Creates a run granted one item and reads its credential with the run's bearer token.</summary>
    private async Task<JsonNode> RunCredentialAsync(string apiKey, string itemId)
    {
        var run = (await HttpAssert.Status(await SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject
        {
            ["url"] = "https://example.com/login", ["goal"] = "sign in", ["use_vault"] = true, ["credential_item_ids"] = new JsonArray(itemId),
        }), 201))!;
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        await HttpAssert.Error(await Client.SendAsync(request), 401, ErrorCodes.Unauthorized);

        using var authorized = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/credentials");
        authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        var credentials = (await HttpAssert.Status(await Client.SendAsync(authorized), 200))!["credentials"]!.AsArray();
        return Assert.Single(credentials)!;
    }

    private static List<string> Labels(JsonNode items) => items.AsArray().Select(i => i!["label"]!.GetValue<string>()).ToList();

    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The host's log holds its own lines and every line the worker logged: no secret may be in it.</summary>
    private void AssertNoSecretInHostLog(params string[] secrets)
    {
        var log = fixture.Host.Log;
        var leaked = secrets.Where(s => s.Length > 0 && log.Contains(s, StringComparison.Ordinal)).Select(s => s[..Math.Min(4, s.Length)] + "…").ToList();
        Assert.True(leaked.Count == 0, $"Secrets in the host log ({fixture.Host.LogPath}): {string.Join(", ", leaked)}");
    }

    /// <summary>Same-site URLs in src/href attributes of an HTML page (scripts, styles, images, links).</summary>
    private static IEnumerable<Uri> SameSiteReferences(string html, Uri page) =>
        ReferencePattern().Matches(html)
            .Select(m => new Uri(page, WebUtility.HtmlDecode(m.Groups["url"].Value)))
            .Where(u => u.Host == page.Host && u.Port == page.Port && u.AbsolutePath != page.AbsolutePath)
            .Distinct();

    [GeneratedRegex("""(?:src|href)\s*=\s*["'](?<url>[^"'#]+)["']""", RegexOptions.IgnoreCase)]
    private static partial Regex ReferencePattern();
}
