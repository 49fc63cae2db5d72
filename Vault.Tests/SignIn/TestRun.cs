using System.Text.Json.Nodes;
using Vault.Client.Playwright;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.SignIn;

/// <summary>A run of the sign-in tests: its options for the SDK, the account's API key and the granted items by label.</summary>
public sealed record TestRun(SignInFixture Fixture, string ApiKey, SignInOptions Options, IReadOnlyDictionary<string, string> Items)
{
    /// <summary>The run's audit log (newest first): the item ids and the site of every credential read.</summary>
    public async Task<List<(string[] ItemIds, string? Domain)>> AuditAsync()
    {
        var body = await HttpAssert.Status(await Fixture.Host.SendAsync(HttpMethod.Get, $"/v1/runs/{Options.RunId}/audit", ApiKey), 200);
        return body!["entries"]!.AsArray()
            .Select(e => (e!["itemIds"]!.AsArray().Select(i => i!.GetValue<string>()).ToArray(), e["domain"]?.GetValue<string>()))
            .ToList();
    }

    /// <summary>Pushes a message to the run (as a site's e-mail would reach it).</summary>
    public async Task PushAsync(string text) =>
        await HttpAssert.Status(await Fixture.Host.SendAsync(HttpMethod.Post, $"/v1/runs/{Options.RunId}/codes", ApiKey, new JsonObject { ["text"] = text }), 201);
}
