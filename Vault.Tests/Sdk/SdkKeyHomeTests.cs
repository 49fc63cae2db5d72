using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Vault.Client;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Sdk;

/// <summary>
/// Every SDK keeps its keys at home: a "Vault URL" that answers 307 to another origin gets the request followed, but
/// the other origin never sees X-API-Key or a run token; a plain-http URL off loopback is refused before any call.
/// </summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class SdkKeyHomeTests : IAsyncLifetime
{
    private const string ApiKey = "vk_key-that-must-stay-home";
    private WebApplication _redirecting = null!;
    private WebApplication _elsewhere = null!;
    private readonly ConcurrentQueue<IHeaderDictionary> _seenElsewhere = new();
    private string _redirectingUrl = "";

    public async Task InitializeAsync()
    {
        _elsewhere = Start(context =>
        {
            _seenElsewhere.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("{\"connections\": []}");
        });
        await _elsewhere.StartAsync();
        // Another origin: "localhost" where the first is "127.0.0.1".
        var elsewhere = new Uri(Address(_elsewhere)).Port;
        _redirecting = Start(context =>
        {
            context.Response.StatusCode = 307;
            context.Response.Headers.Location = $"http://localhost:{elsewhere}{context.Request.Path}{context.Request.QueryString}";
            return Task.CompletedTask;
        });
        await _redirecting.StartAsync();
        _redirectingUrl = Address(_redirecting);
    }

    public async Task DisposeAsync()
    {
        await _redirecting.DisposeAsync();
        await _elsewhere.DisposeAsync();
    }

    private static WebApplication Start(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        return app;
    }

    private static string Address(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    private void AssertFollowedWithoutKeys()
    {
        var seen = Assert.Single(_seenElsewhere);
        Assert.False(seen.ContainsKey("X-API-Key"), "the API key followed the redirect to another origin");
        Assert.False(seen.ContainsKey("Authorization"), "the run token followed the redirect to another origin");
    }

    [Fact]
    public async Task The_csharp_sdk_drops_keys_on_a_cross_origin_redirect_and_refuses_plain_http()
    {
        await VaultApi.Create(new Uri(_redirectingUrl), ApiKey).V1.Vault.Connections.GetAsync();
        AssertFollowedWithoutKeys();
        Assert.Throws<ArgumentException>(() => VaultApi.Create(new Uri("http://vault.example.com"), ApiKey));
        Assert.Throws<ArgumentException>(() => VaultApi.CreateForRun(new Uri("http://10.0.0.8:7071"), "rt_token"));
    }

    [Fact]
    public async Task The_typescript_sdk_drops_keys_on_a_cross_origin_redirect_and_refuses_plain_http()
    {
        var sdk = Path.Combine(SdkTestKit.RepoRoot(), "sdk", "typescript", "dist", "index.js");
        var script = $$"""
            import { createVault } from '{{new Uri(sdk).AbsoluteUri}}';
            await createVault(process.env.VAULT_URL, '{{ApiKey}}').v1.vault.connections.get();
            let refused = false;
            try { createVault('http://vault.example.com', '{{ApiKey}}'); } catch { refused = true; }
            if (!refused) { console.error('plain http accepted'); process.exit(3); }
            """;
        var (code, _, error) = await SdkTestKit.RunAsync("node", ["--input-type=module", "-e", script], SdkTestKit.RepoRoot(),
            new Dictionary<string, string> { ["VAULT_URL"] = _redirectingUrl });
        Assert.True(code == 0, error);
        AssertFollowedWithoutKeys();
    }

    [Fact]
    public async Task The_python_sdk_drops_keys_on_a_cross_origin_redirect_and_refuses_plain_http()
    {
        var script = $$"""
            import sys
            sys.path.insert(0, "sdk/python")
            from vault_client import VaultClient
            VaultClient(api_key="{{ApiKey}}").list_connections()
            try:
                VaultClient(base_url="http://vault.example.com", api_key="{{ApiKey}}")
                sys.exit("plain http accepted")
            except ValueError:
                pass
            """;
        var (code, _, error) = await SdkTestKit.RunAsync("python3", ["-c", script], SdkTestKit.RepoRoot(),
            new Dictionary<string, string> { ["VAULT_URL"] = _redirectingUrl });
        Assert.True(code == 0, error);
        AssertFollowedWithoutKeys();
    }
}
