using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Functions.Hosting;

namespace Vault.Benchmarks;

/// <summary>The standalone host on a loopback port with its own tables, and a client holding a new account's API key.</summary>
public sealed class BenchHost : IAsyncDisposable
{
    private BenchHost(WebApplication app, HttpClient client, string accountId, string tablePrefix)
    {
        App = app;
        Client = client;
        AccountId = accountId;
        TablePrefix = tablePrefix;
    }

    public WebApplication App { get; }
    public HttpClient Client { get; }
    public string AccountId { get; }
    public string TablePrefix { get; }

    /// <summary>Starts a host; with <paramref name="tablePrefix"/> it shares another host's tables (a second instance).</summary>
    public static async Task<BenchHost> StartAsync(string storage, Action<IServiceCollection>? configureServices = null, string? tablePrefix = null)
    {
        var prefix = tablePrefix ?? "b" + Vault.Core.Common.Ids.RandomBase32(6);
        var app = StandaloneHost.Build(
        [
            "--urls=http://127.0.0.1:0", $"--AzureWebJobsStorage={storage}", "--Vault:AdminKey=bench-admin", "--Vault:AllowLocalSecretStore=true",
            $"--Vault:LocalSecretKey={Convert.ToBase64String(new byte[32])}", $"--Vault:TablePrefix={prefix}", "--Vault:RateLimit:PerMinute=1000000",
            "--Vault:Network:AllowPrivateProviderHosts=true", "--Vault:Resync:RunInStandalone=false", "--Vault:ResyncSchedule=0 */15 * * * *",
        ], services =>
        {
            services.AddLogging(l => l.ClearProviders());
            configureServices?.Invoke(services);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromMinutes(10) };
        using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/accounts") { Content = JsonContent.Create(new { name = "bench" }) };
        create.Headers.Add("X-Admin-Key", "bench-admin");
        var account = (await (await client.SendAsync(create)).Content.ReadFromJsonAsync<JsonObject>())!;
        client.DefaultRequestHeaders.Add("X-API-Key", account["apiKey"]!.GetValue<string>());
        return new BenchHost(app, client, account["accountId"]!.GetValue<string>(), prefix);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
