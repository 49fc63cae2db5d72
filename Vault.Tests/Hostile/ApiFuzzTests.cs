using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using Xunit.Abstractions;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Hostile;

/// <summary>
/// 10,000 calls in 8 threads over connected accounts, every one hostile somewhere: ids, query strings, bodies (lone
/// surrogates, NULs, huge numbers, deep nesting, wrong types), wrong keys and tokens. No answer is a 500; every error
/// answered by the service is the contract's error body; the only answers without one are the HTTP server's own refusals
/// of a request it cannot parse at all (a NUL in the path: 400, a request line over its limit: 414), which never reach
/// the service. No secret reaches the log. Seeded: a failure names the seed, and the same seed replays the same calls.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ApiFuzzTests(ITestOutputHelper output) : ApiTestBase
{
    private const int Calls = 10_000;
    private const int Threads = 8;

    protected override IDictionary<string, string> Settings => new Dictionary<string, string> { ["Vault:RateLimit:PerMinute"] = "10000000" };

    private static readonly string[] HostileText =
    [
        "", " ", "..", "../../v1/admin/accounts", "%00", "%2F%2E%2E", "\0", "\uD800", "\uDFFF", "a\uD800b", "\u202Eevil", "💥",
        new string('a', 5000), "'; DROP TABLE items;--", "<script>", "${jndi:x}", "%ZZ", "conn-", "cred:::", "run-", "null", "-1",
        "99999999999999999999999999", "1e999999", "NaN", "\r\nX-Injected: 1", "ünïcødé.例え.テスト",
    ];

    private static readonly string[] HostileBodies =
    [
        "", "{", "}", "[]", "null", "0", "1e999999", "-99999999999999999999999999999", "\"\\ud800\"", "{\"a\":\"\\u0000\"}",
        "{\"provider\":\"bitwarden\",\"clientId\":\"\\ud800\"}", "{\"url\":\"\\udfff\",\"use_vault\":true}", new string('[', 10_000),
        "{\"credential_item_ids\":[" + string.Join(",", Enumerable.Repeat("\"x\"", 500)) + "]}", "{\"enabled\":\"yes\"}", "{\"enabled\":1e999}",
        "{\"name\":" + new string('9', 400) + "}", "{\"connectionId\":{\"$ne\":null}}", "\u0000\u0001\u0002", "{\"text\":\"" + new string('x', 70_000) + "\"}",
    ];

    [Fact]
    public async Task Ten_thousand_hostile_calls_in_eight_threads_answer_no_500_and_leak_no_secret()
    {
        var (accountId, apiKey) = await Host.CreateAccountAsync("fuzzed");
        var connection = await ConnectBitwardenAsync(apiKey, NewClientId(),
            Login("gh", "GitHub", "https://github.com/login", password: "fuzz-gh-secret", totp: "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP"),
            Login("shop", "Shop", "https://shop.example.com", password: "fuzz-shop-secret"));
        var itemId = connection["items"]![0]!["itemId"]!.GetValue<string>();
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var run = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["use_vault"] = true }), 201))!;
        var runId = run["runId"]!.GetValue<string>();
        var runToken = run["runToken"]!.GetValue<string>();
        var (_, otherKey) = await Host.CreateAccountAsync("other");

        var seed = Environment.GetEnvironmentVariable("VAULT_FUZZ_SEED") is { } s ? int.Parse(s, System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
        output.WriteLine($"seed {seed}");
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        using var client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

        await Parallel.ForEachAsync(Enumerable.Range(0, Calls), new ParallelOptions { MaxDegreeOfParallelism = Threads }, async (i, _) =>
        {
            var random = new Random(HashCode.Combine(seed, i));
            string Pick(string[] from) => from[random.Next(from.Length)];
            string Id(string real) => random.Next(3) == 0 ? real : Pick(HostileText);
            // Headers carry printable ASCII only (the client refuses anything else before sending).
            string H(string text) => new(text.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
            string Q(string text) => Uri.EscapeDataString(text.Replace("\uD800", "\u0000", StringComparison.Ordinal).Replace("\uDFFF", "\u0000", StringComparison.Ordinal)) is var escaped && random.Next(4) == 0 ? "%ED%A0%80" : escaped;

            var (method, path) = random.Next(16) switch
            {
                0 => ("GET", "/v1/vault/items?domain=" + Q(Pick(HostileText)) + "&limit=" + Q(Pick(HostileText)) + "&pageToken=" + Q(Pick(HostileText))),
                1 => ("GET", "/v1/vault/items?enabled=" + Q(Pick(HostileText)) + "&vault=" + Q(Pick(HostileText)) + "&connectionId=" + Q(Id(connectionId))),
                2 => ("PATCH", "/v1/vault/items/" + Q(Id(itemId))),
                3 => ("POST", "/v1/vault/items/sync"),
                4 => ("POST", "/v1/vault/connections"),
                5 => ("DELETE", "/v1/vault/connections/" + Q(Pick(HostileText))),
                6 => ("GET", "/v1/vault/connections"),
                7 => ("POST", "/v1/runs"),
                8 => ("GET", "/v1/runs/" + Q(Id(runId))),
                9 => ("GET", "/v1/runs/" + Q(Id(runId)) + "/credentials?domain=" + Q(Pick(HostileText))),
                10 => ("GET", "/v1/runs/" + Q(Id(runId)) + "/audit?limit=" + Q(Pick(HostileText)) + "&pageToken=" + Q(Pick(HostileText))),
                11 => ("GET", "/v1/usage?from=" + Q(Pick(HostileText)) + "&to=" + Q(Pick(HostileText))),
                12 => ("POST", "/v1/admin/accounts/" + Q(Id(accountId)) + "/keys"),
                13 => ("POST", "/v1/admin/accounts"),
                14 => (new[] { "PUT", "OPTIONS", "DELETE", "GET" }[random.Next(4)], "/v1/" + Q(Pick(HostileText))),
                _ => ("GET", "/v1/runs/" + Q(runId) + "/credentials?domain=" + Q("https://github.com/" + Pick(HostileText))),
            };

            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method is "POST" or "PATCH" or "PUT")
            {
                request.Content = new StringContent(Pick(HostileBodies), Encoding.UTF8, random.Next(5) == 0 ? "text/plain" : "application/json");
            }

            switch (random.Next(6))
            {
                case 0: request.Headers.TryAddWithoutValidation("X-API-Key", apiKey); break;
                case 1: request.Headers.TryAddWithoutValidation("X-API-Key", otherKey); break;
                case 2: request.Headers.TryAddWithoutValidation("X-API-Key", "vk_" + H(Pick(HostileText))); break;
                case 3: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + (random.Next(2) == 0 ? runToken : "rt_" + H(Pick(HostileText)))); break;
                case 4: request.Headers.TryAddWithoutValidation("X-Admin-Key", random.Next(2) == 0 ? VaultTestHost.AdminKey : H(Pick(HostileText))); break;
                default: break; // no key at all
            }

            using var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            var body = await response.Content.ReadAsStringAsync();
            string? problem = null;
            if (status >= 500 && status != 503)
            {
                problem = $"answered {status}";
            }
            else if (status >= 400 && body.Length == 0)
            {
                // Only the HTTP server's own refusals of an unparsable request come without the contract's body.
                var unparsable = path.Contains("%00", StringComparison.Ordinal) || path.Length > 8000;
                if (!(unparsable && status is 400 or 414) && !(status == 405 && method == "OPTIONS"))
                {
                    problem = $"answered {status} without an error body";
                }
            }
            else if (status >= 400)
            {
                try
                {
                    var error = JsonNode.Parse(body)!["error"]!;
                    if (string.IsNullOrEmpty(error["code"]?.GetValue<string>()) || error["requestId"] is null)
                    {
                        problem = "error body without code or requestId";
                    }
                }
                catch (Exception ex) when (ex is System.Text.Json.JsonException or NullReferenceException or InvalidOperationException)
                {
                    problem = $"answered {status} with a body that is not the contract's error: {body[..Math.Min(body.Length, 200)]}";
                }
            }

            if (problem is not null)
            {
                failures.Enqueue($"call {i}: {method} {path[..Math.Min(path.Length, 200)]}: {problem}");
            }
        });

        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures, e.g.\n" + string.Join("\n", failures.Take(10)));
        Assert.False(statuses.ContainsKey(500));
        Assert.Equal(Calls, statuses.Values.Sum());
        Assert.Empty(Host.Logs.Leaked("fuzz-gh-secret", "fuzz-shop-secret", "JBSWY3DPEHPK3PXP", apiKey, otherKey, runToken, VaultTestHost.AdminKey,
            "client-secret-value-1", "master-password-value-1"));
    }
}
