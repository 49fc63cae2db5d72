using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Core.Common;
using Vault.Core.Providers;
using Vault.Functions.Hosting;

namespace Vault.Tests.Infrastructure;

/// <summary>
/// The standalone host on a free loopback port against Azurite, with its own tables (a random prefix), scripted
/// providers registered over the real ones, and every log line captured. Driven over real HTTP; every answer that
/// <see cref="Client"/> receives is checked against the OpenAPI document the host serves (<see cref="OpenApiContract"/>).
/// </summary>
public sealed class VaultTestHost : IAsyncDisposable
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly WebApplication _app;
    private readonly ContractCheckingHandler _contractCheck;

    private VaultTestHost(
        WebApplication app, Uri baseAddress, OpenApiContract contract, ScriptedProvider bitwarden, ScriptedProvider onePassword, CapturedLogs logs,
        string tablePrefix)
    {
        _app = app;
        Bitwarden = bitwarden;
        OnePassword = onePassword;
        Logs = logs;
        TablePrefix = tablePrefix;
        BaseAddress = baseAddress;
        _contractCheck = new ContractCheckingHandler(() => contract);
        Client = new HttpClient(_contractCheck) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Client { get; }
    public ScriptedProvider Bitwarden { get; }
    public ScriptedProvider OnePassword { get; }
    public CapturedLogs Logs { get; }
    public string TablePrefix { get; }
    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Extra settings as configuration keys (e.g. <c>Vault:RateLimit:PerMinute</c>).</param>
    /// <param name="useScriptedProviders">False keeps the real providers (for provider end-to-end tests).</param>
    public static async Task<VaultTestHost> StartAsync(
        IDictionary<string, string>? settings = null, Action<IServiceCollection>? configureServices = null, bool useScriptedProviders = true)
    {
        var tablePrefix = "t" + Ids.RandomBase32(8);
        var values = new Dictionary<string, string>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["AzureWebJobsStorage"] = AzuriteStorage.ConnectionString,
            ["Vault:AdminKey"] = AdminKey,
            ["Vault:AllowLocalSecretStore"] = "true",
            ["Vault:LocalSecretKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Vault:TablePrefix"] = tablePrefix,
            ["Vault:Network:AllowPrivateProviderHosts"] = "true",
            // Tests try wrong keys from one loopback address all day; the throttle has its own tests.
            ["Vault:AuthThrottle:FailuresPerMinute"] = "1000000",
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Azure.Core"] = "Debug", // the leak tests read the SDKs' request logs too
            ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Vault:ResyncSchedule"] = "0 */15 * * * *", // required at start-up; the timer itself is off here
            ["Vault:Resync:RunInStandalone"] = "false",
            ["Vault:Resync:QueueName"] = tablePrefix + "-resync",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var bitwarden = new ScriptedProvider("bitwarden");
        var onePassword = new ScriptedProvider("1password", secretsIncluded: false);
        var logs = new CapturedLogs();
        var args = values.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        var app = StandaloneHost.Build(args, services =>
        {
            if (useScriptedProviders)
            {
                services.AddSingleton<IVaultProvider>(bitwarden);
                services.AddSingleton<IVaultProvider>(onePassword);
            }

            services.AddLogging(logging => logging.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
            configureServices?.Invoke(services);
        });
        await app.StartAsync();
        var baseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var plain = new HttpClient { BaseAddress = baseAddress };
        var contract = OpenApiContract.For(await plain.GetByteArrayAsync("/v1/openapi.json"));
        return new VaultTestHost(app, baseAddress, contract, bitwarden, onePassword, logs, tablePrefix);
    }

    /// <summary>Creates an account through the admin route; returns its id and API key.</summary>
    public async Task<(string AccountId, string ApiKey)> CreateAccountAsync(string name = "acme")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/accounts") { Content = Json(new JsonObject { ["name"] = name }) };
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await Client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (body!["accountId"]!.GetValue<string>(), body["apiKey"]!.GetValue<string>());
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? apiKey, JsonNode? body = null) =>
        SendRawAsync(method, path, apiKey, body?.ToJsonString());

    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? apiKey, string? body, IDictionary<string, string>? headers = null)
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

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request);
    }

    public static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();

        // A violation a test caught and ignored still fails it.
        if (_contractCheck.Violations.Count > 0)
        {
            throw new OpenApiContractException("Answers outside the OpenAPI document: " + string.Join(" | ", _contractCheck.Violations));
        }
    }
}

public static class HttpAssert
{
    /// <summary>Asserts the status and returns the JSON body (null for an empty body).</summary>
    public static async Task<JsonNode?> Status(HttpResponseMessage response, int expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == expected, $"Expected {expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>Asserts the contract's error body with the given status and code; returns the message.</summary>
    public static async Task<string> Error(HttpResponseMessage response, int expectedStatus, string expectedCode)
    {
        var body = await Status(response, expectedStatus);
        var error = body?["error"];
        Assert.NotNull(error);
        Assert.Equal(expectedCode, error!["code"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
        Assert.StartsWith("req_", error["requestId"]!.GetValue<string>());
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        AssertDetails(expectedCode, error["details"]);
        return error["message"]!.GetValue<string>();
    }

    private static readonly string[] DetailCodes =
        ["required", "invalid_type", "invalid_format", "too_long", "out_of_range", "not_allowed", "invalid_json"];

    /// <summary>
    /// INVALID_INPUT carries <c>details</c>: one entry per problem with a JSON path (names and indexes), a contract detail
    /// code and a message; every other code carries none.
    /// </summary>
    private static void AssertDetails(string code, JsonNode? details)
    {
        if (code != "INVALID_INPUT")
        {
            Assert.Null(details);
            return;
        }

        var entries = Assert.IsType<JsonArray>(details);
        Assert.NotEmpty(entries);
        foreach (var entry in entries)
        {
            var path = Assert.IsType<JsonArray>(entry!["path"]);
            Assert.All(path, segment => Assert.True(segment!.GetValueKind() is JsonValueKind.String or JsonValueKind.Number));
            Assert.Contains(entry["code"]!.GetValue<string>(), DetailCodes);
            Assert.False(string.IsNullOrWhiteSpace(entry["message"]!.GetValue<string>()));
        }
    }
}
