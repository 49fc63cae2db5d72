using System.Text.Json.Nodes;
using Vault.Client;
using Vault.Core.Errors;
using Vault.Tests.Infrastructure;
using Vault.Core.Connections.Sync;

namespace Vault.Tests.Sdk;

/// <summary>
/// Each SDK against the standalone host with the real Bitwarden provider and the fake Bitwarden server: connect, list by
/// domain, sync, create a run, read its credentials, and a typed error on 401 and on 409 (two connections exist).
/// </summary>
[Trait(TestKind.Trait, TestKind.Interop)]
[Collection(SdkTestKit.Collection)]
public sealed class SdkEndToEndTests : IAsyncLifetime
{
    private readonly SdkTestKit _kit = new();

    public Task InitializeAsync() => _kit.InitializeAsync();

    public Task DisposeAsync() => _kit.DisposeAsync();

    /// <summary>An account with one connection already (so the flow's second connect fills the 2 slots, the third is 409).</summary>
    private async Task<(string ApiKey, JsonObject Flow)> PrepareAsync(string name)
    {
        var (_, apiKey) = await _kit.Host.CreateAccountAsync(name);
        await _kit.ConnectAsync(apiKey, _kit.Account($"second-{name}@example.com", "other-pw"));
        var flow = new JsonObject
        {
            ["serverUrl"] = _kit.Server.BaseUrl,
            ["first"] = _kit.Credentials(_kit.Account($"first-{name}@example.com")),
            ["third"] = _kit.Credentials(_kit.Account($"third-{name}@example.com")),
        };
        return (apiKey, flow);
    }

    [Fact]
    public async Task The_csharp_sdk_runs_the_whole_flow_with_typed_errors()
    {
        var (apiKey, flow) = await PrepareAsync("csharp");
        var vault = VaultApi.Create(_kit.Host.BaseAddress, apiKey);
        Client.Models.ConnectRequest Connect(string who) => new()
        {
            Provider = Client.Models.ConnectRequest_provider.Bitwarden,
            ClientId = flow[who]!["clientId"]!.GetValue<string>(),
            ClientSecret = flow[who]!["clientSecret"]!.GetValue<string>(),
            MasterPassword = flow[who]!["masterPassword"]!.GetValue<string>(),
            ServerUrl = _kit.Server.BaseUrl,
        };

        var connection = (await vault.V1.Vault.Connections.PostAsync(Connect("first")))!;
        Assert.True(connection.Connected);
        Assert.Equal(2, connection.ItemCount);

        var items = (await vault.V1.Vault.Items.GetAsync(r => r.QueryParameters.Domain = "github.com"))!.Items!;
        Assert.Equal(["GitHub", "GitHub"], items.Select(i => i.Label));
        Assert.All(items, i => Assert.Equal(["github.com"], i.Domains!));

        var sync = (await vault.V1.Vault.Items.Sync.PostAsync(new Client.Models.SyncRequest()))!;
        Assert.Equal(0, sync.SyncSummary!.Added);
        Assert.Equal(2, sync.Connections!.Count);

        var mine = items.Single(i => i.ConnectionId == connection.ConnectionId);
        var run = (await vault.V1.Runs.PostAsync(new Client.Models.CreateRunRequest { Url = "https://github.com/login", CredentialItemIds = [mine.ItemId!] }))!;
        Assert.StartsWith("run-", run.RunId);
        var credentials = (await VaultApi.CreateForRun(_kit.Host.BaseAddress, run.RunToken!).V1.Runs[run.RunId!].Credentials.GetAsync())!.Credentials!;
        Assert.Equal("gh-secret-pw", Assert.Single(credentials).Password);
        Assert.Matches("^[0-9]{6}$", credentials[0].Totp!.Code!);

        // The trail, then revoke: the token stops working.
        var audit = (await vault.V1.Runs[run.RunId!].Audit.GetAsync())!;
        Assert.Equal(mine.ItemId, Assert.Single(Assert.Single(audit.Entries!).ItemIds!));
        // A code pushed while WaitForCodeAsync waits (from a cursor taken first) wakes it.
        var runClient = VaultApi.CreateForRun(_kit.Host.BaseAddress, run.RunToken!);
        var start = (await runClient.V1.Runs[run.RunId!].Codes.GetAsync())!.Cursor;
        var waiting = runClient.WaitForCodeAsync(run.RunId!, TimeSpan.FromSeconds(20), start);
        await Task.Delay(300);
        await vault.V1.Runs[run.RunId!].Codes.PostAsync(new Client.Models.PushCodeRequest { Text = "Your verification code is 482913.", From = "noreply@github.com" });
        var code = await waiting;
        Assert.Equal(("482913", Client.Models.RunCode_channel.Push), (code?.Code, code?.Channel));

        await vault.V1.Runs[run.RunId!].DeleteAsync();
        var revoked = await Assert.ThrowsAnyAsync<Microsoft.Kiota.Abstractions.ApiException>(
            () => VaultApi.CreateForRun(_kit.Host.BaseAddress, run.RunToken!).V1.Runs[run.RunId!].Credentials.GetAsync());
        Assert.Equal((401, ErrorCodes.Unauthorized), (VaultError.From(revoked)!.Status, VaultError.From(revoked)!.Code));
        Assert.Equal(Client.Models.Run_status.Revoked, (await vault.V1.Runs[run.RunId!].GetAsync())!.Status);

        var unauthorized = await Assert.ThrowsAnyAsync<Microsoft.Kiota.Abstractions.ApiException>(() => VaultApi.Create(_kit.Host.BaseAddress, "not-a-key").V1.Vault.Connections.GetAsync());
        Assert.Equal((401, ErrorCodes.InvalidApiKey), (VaultError.From(unauthorized)!.Status, VaultError.From(unauthorized)!.Code));
        var conflict = await Assert.ThrowsAnyAsync<Microsoft.Kiota.Abstractions.ApiException>(() => vault.V1.Vault.Connections.PostAsync(Connect("third")));
        Assert.IsType<Client.Models.Error>(conflict); // the generated error model, not a bare ApiException
        Assert.Equal((409, ErrorCodes.MaxConnections), (VaultError.From(conflict)!.Status, VaultError.From(conflict)!.Code));
        Assert.DoesNotContain("gh-secret-pw", _kit.Host.Logs.All);
    }

    [Fact]
    public async Task The_typescript_sdk_runs_the_whole_flow_with_typed_errors()
    {
        var root = SdkTestKit.RepoRoot();
        var package = Path.Combine(root, "sdk", "typescript");
        if (!File.Exists(Path.Combine(package, "dist", "index.js")))
        {
            // ./test builds it first; a bare `dotnet test` builds it here from the package's own lock file.
            Assert.Equal(0, (await SdkTestKit.RunAsync("npm", ["ci", "--no-audit", "--no-fund"], package)).Code);
            Assert.Equal(0, (await SdkTestKit.RunAsync("npm", ["run", "build"], package)).Code);
        }

        var (apiKey, flow) = await PrepareAsync("typescript");
        var result = await RunFlowAsync("node", Path.Combine(root, "Vault.Tests", "Sdk", "ts-flow.mjs"), apiKey, flow);
        AssertFlow(result, expectedErrorType: "VaultError");
    }

    [Fact]
    public async Task The_python_sdk_runs_the_whole_flow_with_typed_errors()
    {
        var root = SdkTestKit.RepoRoot();
        var (apiKey, flow) = await PrepareAsync("python");
        var result = await RunFlowAsync("python3", Path.Combine(root, "Vault.Tests", "Sdk", "py-flow.py"), apiKey, flow);
        AssertFlow(result, expectedErrorType: null);
        Assert.Equal("Unauthorized", result["unauthorized"]!["type"]!.GetValue<string>());
        Assert.Equal("Conflict", result["conflict"]!["type"]!.GetValue<string>());
    }

    private async Task<JsonNode> RunFlowAsync(string program, string script, string apiKey, JsonObject flow)
    {
        var (code, output, errors) = await SdkTestKit.RunAsync(program, [script], SdkTestKit.RepoRoot(), new Dictionary<string, string>
        {
            ["VAULT_URL"] = _kit.Url, ["VAULT_API_KEY"] = apiKey, ["FLOW"] = flow.ToJsonString(),
        });
        Assert.True(code == 0, $"{program} {script} failed ({code}): {output} {errors}");
        return JsonNode.Parse(output)!;
    }

    private static void AssertFlow(JsonNode result, string? expectedErrorType)
    {
        Assert.True(result["connected"]!.GetValue<bool>());
        Assert.StartsWith("conn-", result["connectionId"]!.GetValue<string>());
        Assert.Equal(2, result["itemCount"]!.GetValue<int>());
        Assert.Equal(["GitHub", "GitHub"], result["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.Equal(0, result["summary"]!["added"]!.GetValue<int>());
        Assert.StartsWith("run-", result["runId"]!.GetValue<string>());
        // Both GitHub items (this connection's and the pre-connected one's) were granted and read back decrypted.
        Assert.Equal(["gh-secret-pw", "other-pw"], result["passwords"]!.AsArray().Select(p => p!.GetValue<string>()).Order());
        var unauthorized = result["unauthorized"]!;
        Assert.Equal(401, unauthorized["status"]!.GetValue<int>());
        Assert.Equal(ErrorCodes.InvalidApiKey, unauthorized["code"]!.GetValue<string>());
        var conflict = result["conflict"]!;
        Assert.Equal(409, conflict["status"]!.GetValue<int>());
        Assert.Equal(ErrorCodes.MaxConnections, conflict["code"]!.GetValue<string>());
        Assert.Equal(1, result["auditEntries"]!.GetValue<int>());
        Assert.Equal("revoked", result["revokedStatus"]!.GetValue<string>());
        Assert.Equal(401, result["afterRevoke"]!["status"]!.GetValue<int>());
        Assert.Equal(ErrorCodes.Unauthorized, result["afterRevoke"]!["code"]!.GetValue<string>());
        Assert.Equal("482913", result["code"]!["code"]!.GetValue<string>());
        Assert.Equal("push", result["code"]!["channel"]!.GetValue<string>());
        Assert.Equal("noreply@github.com", result["code"]!["from"]!.GetValue<string>());
        if (expectedErrorType is not null)
        {
            Assert.Equal(expectedErrorType, unauthorized["type"]!.GetValue<string>());
            Assert.Equal(expectedErrorType, conflict["type"]!.GetValue<string>());
        }
    }
}
