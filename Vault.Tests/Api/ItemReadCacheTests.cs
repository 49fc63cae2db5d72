using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;
using static Vault.Tests.Infrastructure.ScriptedItems;
using Vault.Core.Snapshots;

namespace Vault.Tests.Api;

/// <summary>
/// Each instance keeps copies of its hot item reads; a change made through another instance is seen by the very next
/// call, for the item list and for a run's credentials alike (two hosts on the same storage, as two instances).
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class ItemReadCacheTests : IAsyncLifetime
{
    private VaultTestHost _reader = null!;
    private VaultTestHost _writer = null!;

    public async Task InitializeAsync()
    {
        _reader = await VaultTestHost.StartAsync();
        _writer = await VaultTestHost.StartAsync(new Dictionary<string, string> { ["Vault:TablePrefix"] = _reader.TablePrefix });
    }

    public async Task DisposeAsync()
    {
        await _reader.DisposeAsync();
        await _writer.DisposeAsync();
    }

    private async Task<JsonArray> ItemsAsync(string apiKey, string query) =>
        (await HttpAssert.Status(await _reader.SendAsync(HttpMethod.Get, "/v1/vault/items" + query, apiKey), 200))!["items"]!.AsArray();

    private async Task<JsonArray> CredentialsAsync(string runId, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{runId}/credentials?domain=github.com");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (await HttpAssert.Status(await _reader.Client.SendAsync(request), 200))!["credentials"]!.AsArray();
    }

    private async Task SetEnabledThroughTheOtherInstanceAsync(string apiKey, string itemId, bool enabled) =>
        await HttpAssert.Status(await _writer.SendAsync(HttpMethod.Patch, "/v1/vault/items/" + Uri.EscapeDataString(itemId), apiKey,
            new JsonObject { ["enabled"] = enabled }), 200);

    /// <summary>A Bitwarden account with these items connected on the reader, and a whole-vault run; the id of the item labelled GitHub.</summary>
    private async Task<(string ApiKey, string GitHubItemId, string RunId, string RunToken)> ConnectWithWholeVaultRunAsync(params Vault.Core.Snapshots.ProviderItem[] items)
    {
        var (_, apiKey) = await _reader.CreateAccountAsync();
        var clientId = "user." + Guid.NewGuid();
        _reader.Bitwarden.Account(clientId).Items.AddRange(items);
        var connection = (await HttpAssert.Status(await _reader.SendAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, new JsonObject
        {
            ["provider"] = "bitwarden", ["clientId"] = clientId, ["clientSecret"] = "client-secret-value-1", ["masterPassword"] = "master-password-value-1",
        }), 201))!;
        var github = connection["items"]!.AsArray().Single(i => i!["label"]!.GetValue<string>() == "GitHub")!["itemId"]!.GetValue<string>();
        var run = (await HttpAssert.Status(await _reader.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["use_vault"] = true }), 201))!;
        return (apiKey, github, run["runId"]!.GetValue<string>(), run["runToken"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_change_through_another_instance_is_seen_by_the_next_read_of_items_and_credentials()
    {
        var (apiKey, github, runId, token) = await ConnectWithWholeVaultRunAsync(
            Login("gh", "GitHub", "https://github.com/login", password: "gh-password"),
            Login("gh2", "GitHub work", "https://github.com", password: "gh-work-password"));

        // Read twice on the reader, so its copies exist and are in use.
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(2, (await ItemsAsync(apiKey, "?domain=github.com")).Count);
            Assert.Equal(2, (await CredentialsAsync(runId, token)).Count);
        }

        await SetEnabledThroughTheOtherInstanceAsync(apiKey, github, enabled: false);
        Assert.False((await ItemsAsync(apiKey, "?domain=github.com")).Single(i => i!["itemId"]!.GetValue<string>() == github)!["enabled"]!.GetValue<bool>());
        Assert.Equal(["GitHub work"], (await CredentialsAsync(runId, token)).Select(c => c!["label"]!.GetValue<string>()));

        await SetEnabledThroughTheOtherInstanceAsync(apiKey, github, enabled: true);
        Assert.Equal(2, (await CredentialsAsync(runId, token)).Count);
        Assert.True((await ItemsAsync(apiKey, "?domain=github.com")).All(i => i!["enabled"]!.GetValue<bool>()));
    }

    [Fact]
    public async Task Concurrent_reads_on_one_instance_while_another_disables_an_item_never_hand_it_out_afterwards()
    {
        var (apiKey, github, runId, token) = await ConnectWithWholeVaultRunAsync(Login("gh", "GitHub", "https://github.com/login", password: "gh-password"));

        // Readers keep the reader instance busy (copies made and used) while the item is disabled elsewhere.
        using var stop = new CancellationTokenSource();
        var handedOut = 0;
        var warmed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if ((await CredentialsAsync(runId, token)).Count == 1 && Interlocked.Increment(ref handedOut) >= 32)
                {
                    warmed.TrySetResult();
                }
            }
        })).ToList();
        // Not a guess at how long warming takes: the readers have been handed the item 32 times (copies made and used).
        await warmed.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await SetEnabledThroughTheOtherInstanceAsync(apiKey, github, enabled: false);
        var after = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CredentialsAsync(runId, token)));
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        Assert.All(after, credentials => Assert.Empty(credentials));
    }
}
