using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Runs;

/// <summary>
/// Revocable runs across instances: two hosts on the same tables and secret store, so what one instance revokes
/// the other must refuse as soon as the revoking call has answered, and the trail of a run's reads.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class RunRevocationTests : IAsyncLifetime
{
    private VaultTestHost _first = null!;
    private VaultTestHost _second = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["Vault:LocalSecretKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Vault:RateLimit:PerMinute"] = "100000",
        };
        _first = await VaultTestHost.StartAsync(settings);
        _second = await VaultTestHost.StartAsync(new Dictionary<string, string>(settings) { ["Vault:TablePrefix"] = _first.TablePrefix });
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    private async Task<(string AccountId, string ApiKey, string GitHubId)> ConnectAsync()
    {
        var (accountId, apiKey) = await _first.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        _first.Bitwarden.Account(clientId).Items.AddRange([
            Login("gh", "GitHub", "https://github.com/login", password: "gh-secret-pw"),
            Login("shop", "Shop", "https://shop.example.com", password: "shop-secret-pw")]);
        var connection = (await HttpAssert.Status(await _first.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "client-secret-value-1", ["masterPassword"] = "master-password-value-1",
        }), 201))!;
        var github = connection["items"]!.AsArray().Single(i => i!["label"]!.GetValue<string>() == "GitHub")!["itemId"]!.GetValue<string>();
        return (accountId, apiKey, github);
    }

    private static async Task<(string RunId, string Token)> CreateRunAsync(VaultTestHost host, string apiKey, JsonObject body)
    {
        var run = (await HttpAssert.Status(await host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, body), 201))!;
        return (run["runId"]!.GetValue<string>(), run["runToken"]!.GetValue<string>());
    }

    private static async Task<HttpResponseMessage> ReadAsync(VaultTestHost host, string runId, string token, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/credentials{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await host.Client.SendAsync(request);
    }

    private static async Task<string> StatusAsync(VaultTestHost host, string apiKey, string runId) =>
        (await HttpAssert.Status(await host.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}", apiKey), 200))!["status"]!.GetValue<string>();

    [Fact]
    public async Task A_revoked_run_token_is_refused_on_every_instance_as_soon_as_the_revoke_answers()
    {
        var (_, apiKey, github) = await ConnectAsync();
        var (runId, token) = await CreateRunAsync(_first, apiKey, new JsonObject { ["credential_item_ids"] = new JsonArray(github) });

        // Both instances have read (and keep) the run row.
        await HttpAssert.Status(await ReadAsync(_first, runId, token), 200);
        await HttpAssert.Status(await ReadAsync(_second, runId, token), 200);
        Assert.Equal("created", await StatusAsync(_second, apiKey, runId));

        await HttpAssert.Status(await _first.SendAsync(HttpMethod.Delete, $"/v1/runs/{runId}", apiKey), 204);

        await HttpAssert.Error(await ReadAsync(_second, runId, token), 401, "UNAUTHORIZED");
        await HttpAssert.Error(await ReadAsync(_first, runId, token), 401, "UNAUTHORIZED");
        Assert.Equal("revoked", await StatusAsync(_second, apiKey, runId));
        Assert.Equal("revoked", await StatusAsync(_first, apiKey, runId));

        // Again: still 204. Another account cannot see or revoke it.
        await HttpAssert.Status(await _second.SendAsync(HttpMethod.Delete, $"/v1/runs/{runId}", apiKey), 204);
        var (_, otherKey) = await _first.CreateAccountAsync("other");
        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Delete, $"/v1/runs/{runId}", otherKey), 404, "NOT_FOUND");
        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Delete, "/v1/runs/run-doesnotexist", apiKey), 404, "NOT_FOUND");

        // The trail stays: the two reads before the revoke.
        var audit = (await HttpAssert.Status(await _second.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}/audit", apiKey), 200))!;
        Assert.Equal(2, audit["entries"]!.AsArray().Count);
    }

    [Fact]
    public async Task Reads_in_flight_while_a_run_is_revoked_all_fail_once_the_revoke_has_answered()
    {
        var (_, apiKey, github) = await ConnectAsync();
        var (runId, token) = await CreateRunAsync(_first, apiKey, new JsonObject { ["credential_item_ids"] = new JsonArray(github) });
        using var stop = new CancellationTokenSource();
        var revokedAt = DateTimeOffset.MaxValue;
        var lateSuccesses = 0;

        async Task HammerAsync(VaultTestHost host)
        {
            while (!stop.IsCancellationRequested)
            {
                var sent = DateTimeOffset.UtcNow;
                using var response = await ReadAsync(host, runId, token);
                if ((int)response.StatusCode == 200 && sent > revokedAt)
                {
                    Interlocked.Increment(ref lateSuccesses);
                }

                Assert.True((int)response.StatusCode is 200 or 401, $"unexpected {(int)response.StatusCode}");
            }
        }

        var readers = Enumerable.Range(0, 8).Select(i => Task.Run(() => HammerAsync(i % 2 == 0 ? _first : _second))).ToList();
        await Task.Delay(300);
        await HttpAssert.Status(await _second.SendAsync(HttpMethod.Delete, $"/v1/runs/{runId}", apiKey), 204);
        revokedAt = DateTimeOffset.UtcNow;
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.Equal(0, lateSuccesses);
    }

    [Fact]
    public async Task Revoking_an_api_key_revokes_the_runs_it_created_and_no_others()
    {
        var (accountId, apiKey, github) = await ConnectAsync();
        using var createKey = new HttpRequestMessage(HttpMethod.Post, $"/v1/admin/accounts/{accountId}/keys");
        createKey.Headers.Add("X-Admin-Key", VaultTestHost.AdminKey);
        var key = (await HttpAssert.Status(await _first.Client.SendAsync(createKey), 201))!;
        var secondKey = key["apiKey"]!.GetValue<string>();

        var (keptRun, keptToken) = await CreateRunAsync(_first, apiKey, new JsonObject { ["credential_item_ids"] = new JsonArray(github) });
        var (doomedRun, doomedToken) = await CreateRunAsync(_second, secondKey, new JsonObject { ["use_vault"] = true });
        await HttpAssert.Status(await ReadAsync(_second, doomedRun, doomedToken, "?domain=github.com"), 200);

        await HttpAssert.Status(await _first.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}/keys/{key["keyId"]}", null, null,
            new Dictionary<string, string> { ["X-Admin-Key"] = VaultTestHost.AdminKey }), 204);

        await HttpAssert.Error(await ReadAsync(_second, doomedRun, doomedToken, "?domain=github.com"), 401, "UNAUTHORIZED");
        await HttpAssert.Error(await ReadAsync(_first, doomedRun, doomedToken, "?domain=github.com"), 401, "UNAUTHORIZED");
        Assert.Equal("revoked", await StatusAsync(_first, apiKey, doomedRun));
        await HttpAssert.Status(await ReadAsync(_second, keptRun, keptToken), 200);
        Assert.Equal("created", await StatusAsync(_second, apiKey, keptRun));
    }

    [Fact]
    public async Task The_trail_lists_every_read_newest_first_in_pages_without_a_secret()
    {
        var (_, apiKey, _) = await ConnectAsync();
        var (runId, token) = await CreateRunAsync(_first, apiKey, new JsonObject { ["use_vault"] = true });
        string[] domains = ["github.com", "shop.example.com", "nothing.example.org", "github.com", "shop.example.com"];
        foreach (var domain in domains)
        {
            await HttpAssert.Status(await ReadAsync(domain.Length % 2 == 0 ? _first : _second, runId, token, "?domain=" + domain), 200);
            await Task.Delay(5); // distinct timestamps, so "newest first" is observable
        }

        var seen = new List<JsonNode>();
        string? pageToken = null;
        var pages = 0;
        do
        {
            var page = (await HttpAssert.Status(await _second.SendAsync(HttpMethod.Get,
                $"/v1/runs/{runId}/audit?limit=2" + (pageToken is null ? "" : "&pageToken=" + Uri.EscapeDataString(pageToken)), apiKey), 200))!;
            Assert.DoesNotContain("secret-pw", page.ToJsonString());
            var entries = page["entries"]!.AsArray();
            Assert.True(entries.Count <= 2);
            seen.AddRange(entries.Select(e => e!));
            pageToken = page["nextPageToken"]?.GetValue<string>();
            pages++;
        }
        while (pageToken is not null);

        Assert.Equal(3, pages);
        Assert.Equal(domains.Reverse(), seen.Select(e => e["domain"]!.GetValue<string>()));
        var times = seen.Select(e => DateTimeOffset.Parse(e["at"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(times.OrderByDescending(t => t), times);
        Assert.Single(seen[0]["itemIds"]!.AsArray()); // shop.example.com: the Shop item
        Assert.Empty(seen[2]["itemIds"]!.AsArray()); // nothing matched, still on the trail
        Assert.NotNull(seen[0]["caller"]);

        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}/audit?pageToken=bm90LWEtdG9rZW4", apiKey), 400, "INVALID_INPUT");
        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}/audit?limit=0", apiKey), 400, "INVALID_INPUT");
        var (_, otherKey) = await _first.CreateAccountAsync("other");
        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Get, $"/v1/runs/{runId}/audit", otherKey), 404, "NOT_FOUND");
    }
}
