using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Vault.Core.Resync;
using Vault.Tests.Api;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;

namespace Vault.Tests.Resync;

/// <summary>A run's read of a stale connection's items asks for one early resync (<see cref="EarlyResync"/>).</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class EarlyResyncTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-11-24T08:00:00Z", CultureInfo.InvariantCulture));
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(
        new Dictionary<string, string> { ["Vault:ResyncInterval"] = "06:00:00", ["Vault:RunTokenLifetime"] = "2.00:00:00" },
        services => services.AddSingleton<TimeProvider>(_clock));

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();

    private async Task<List<ResyncMessage>> DrainQueueAsync()
    {
        var queue = await Get<ResyncQueue>().QueueAsync();
        var messages = new List<ResyncMessage>();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var message in batch)
            {
                messages.Add(ResyncQueue.Parse(message.Body.ToString())!);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return messages;
    }

    private async Task ReadCredentialsAsync(string runId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/credentials");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var body = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!;
        Assert.Single(body["credentials"]!.AsArray());
    }

    [Fact]
    public async Task A_stale_connection_gets_one_early_resync_a_fresh_one_none()
    {
        var (accountId, apiKey) = await _host.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        _host.Bitwarden.Account(clientId).Items.Add(Login("1", "GitHub", "github.com", password: "early-pw"));
        var connection = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "s", ["masterPassword"] = "m",
        }), 201))!;
        var connectionId = connection["connectionId"]!.GetValue<string>();
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey,
            new JsonObject { ["credential_item_ids"] = new JsonArray(connection["items"]![0]!["itemId"]!.GetValue<string>()) }), 201))!;
        var (runId, token) = (run["runId"]!.GetValue<string>(), run["runToken"]!.GetValue<string>());
        var early = Get<EarlyResync>();

        // Fresh: no message.
        await ReadCredentialsAsync(runId, token);
        await early.WhenIdleAsync();
        Assert.Empty(await DrainQueueAsync());

        // 6.5 h later it is older than the interval (though maybe not due yet by its jitter): three reads, one message.
        _clock.Advance(TimeSpan.FromHours(6.5));
        for (var i = 0; i < 3; i++)
        {
            await ReadCredentialsAsync(runId, token);
        }

        await early.WhenIdleAsync();
        var message = Assert.Single(await DrainQueueAsync());
        Assert.Equal((accountId, connectionId, (bool?)true), (message.AccountId, message.ConnectionId, message.Early));

        // The worker takes it although the timer would not yet; a duplicate (another instance's) is then skipped.
        var worker = Get<ResyncWorker>();
        Assert.Equal(ResyncOutcome.Synced, await worker.ProcessAsync(message, 1, default));
        Assert.Equal(ResyncOutcome.SkippedNotDue, await worker.ProcessAsync(message, 1, default));

        // Reads within the next interval ask nothing more.
        _clock.Advance(TimeSpan.FromHours(1));
        await ReadCredentialsAsync(runId, token);
        await early.WhenIdleAsync();
        Assert.Empty(await DrainQueueAsync());
    }
}
