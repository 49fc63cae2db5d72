using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Tests.Infrastructure;
using Vault.Core.Snapshots;

namespace Vault.Tests.Api;

/// <summary>One standalone host per test class; helpers to connect scripted Bitwarden and 1Password accounts.</summary>
public abstract class ApiTestBase : IAsyncLifetime
{
    protected VaultTestHost Host { get; private set; } = null!;

    protected virtual IDictionary<string, string>? Settings => null;

    /// <summary>A test class that depends on time gives the host this clock and moves it, instead of waiting.</summary>
    protected virtual FakeTimeProvider? Clock => null;

    public async Task InitializeAsync() => Host = await VaultTestHost.StartAsync(Settings, Clock is { } clock ? services => services.AddSingleton<TimeProvider>(clock) : null);

    public async Task DisposeAsync() => await Host.DisposeAsync();

    protected static string NewClientId() => "user." + Guid.NewGuid().ToString();

    protected static JsonObject BitwardenBody(string clientId, string secret = "client-secret-value-1", string master = "master-password-value-1") => new()
    {
        ["provider"] = "bitwarden",
        ["clientId"] = clientId,
        ["clientSecret"] = secret,
        ["masterPassword"] = master,
    };

    /// <summary>Scripts a Bitwarden account with items and connects it; returns the connection object.</summary>
    protected async Task<JsonNode> ConnectBitwardenAsync(string apiKey, string clientId, params ProviderItem[] items)
    {
        var account = Host.Bitwarden.Account(clientId.ToLowerInvariant());
        account.Items.AddRange(items);
        var response = await Host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, BitwardenBody(clientId));
        return (await HttpAssert.Status(response, 201))!;
    }

    protected async Task<JsonArray> ListItemsAsync(string apiKey, string query = "")
    {
        var response = await Host.SendAsync(HttpMethod.Get, "/v1/vault/items" + query, apiKey);
        return (await HttpAssert.Status(response, 200))!["items"]!.AsArray();
    }

    protected static IEnumerable<string> Labels(JsonArray items) => items.Select(i => i!["label"]!.GetValue<string>());
}
