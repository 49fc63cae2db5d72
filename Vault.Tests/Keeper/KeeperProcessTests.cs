using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;
using Vault.Tests.OnePassword;

namespace Vault.Tests.Keeper;

/// <summary>
/// The service as a process of its own, configured only by environment variables as an operator (or an acceptance
/// check) would: the door opened with <c>Vault__Network__AllowPrivateProviderHosts</c>, the fake's server key by
/// <c>Vault__Keeper__ServerPublicKey</c>/<c>Id</c>, and its certificate trusted through <c>SSL_CERT_FILE</c> (no
/// private-CA setting), then a connect with a <c>localhost:port:key</c> token.
/// </summary>
[Trait(TestKind.Trait, TestKind.Interop)]
public sealed class KeeperProcessTests
{
    [Fact]
    public async Task A_standalone_service_connects_to_a_keeper_fake_configured_by_the_environment()
    {
        await using var server = await FakeKeeperServer.StartAsync(null, 12);
        var data = KeeperStandardData.Seed(server.CreateApplication("Acceptance app"));
        var root = SdkJudge.RepoRoot();
        var app = Path.Combine(root, "Vault.Functions", "bin", "Release", "net10.0", "Vault.Functions.dll");
        Assert.True(File.Exists(app), "build Vault.Functions first");
        var port = AzuriteStorage.FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Path.GetDirectoryName(app)!, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(app);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        var prefix = "t" + Vault.Core.Common.Ids.RandomBase32(8);
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = AzuriteStorage.ConnectionString,
            ["Vault__AdminKey"] = VaultTestHost.AdminKey,
            ["Vault__AllowLocalSecretStore"] = "true",
            ["Vault__LocalSecretKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Vault__TablePrefix"] = prefix,
            ["Vault__ResyncSchedule"] = "0 */15 * * * *",
            ["Vault__Resync__RunInStandalone"] = "false",
            ["Vault__Resync__QueueName"] = prefix + "-resync",
            ["Vault__Network__AllowPrivateProviderHosts"] = "true",
            ["Vault__Keeper__ServerPublicKey"] = server.PublicKeyOf(12),
            ["Vault__Keeper__ServerPublicKeyId"] = "12",
            ["SSL_CERT_FILE"] = server.Ca.CaPemPath,
            ["AzureWebJobsDisableHomepage"] = "true",
        })
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            for (var i = 0; ; i++)
            {
                try
                {
                    if ((await http.GetAsync("/v1/health")).StatusCode == HttpStatusCode.OK)
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (i < 120)
                {
                }

                Assert.True(i < 120, "the service did not start: " + output);
                await Task.Delay(500);
            }

            using var create = new HttpRequestMessage(HttpMethod.Post, "/v1/admin/accounts") { Content = JsonContent.Create(new { name = "acceptance" }) };
            create.Headers.Add("X-Admin-Key", VaultTestHost.AdminKey);
            var account = (await (await http.SendAsync(create)).Content.ReadFromJsonAsync<JsonObject>())!;
            using var connect = new HttpRequestMessage(HttpMethod.Post, "/v1/vault/connections")
            {
                Content = JsonContent.Create(new { provider = "keeper", token = server.MintToken(data.Application) }),
            };
            connect.Headers.Add("X-API-Key", account["apiKey"]!.GetValue<string>());
            var answer = await http.SendAsync(connect);
            var body = await answer.Content.ReadAsStringAsync();
            Assert.True(answer.StatusCode == HttpStatusCode.Created, body + "\n" + output);
            Assert.Equal(5, JsonNode.Parse(body)!["itemCount"]!.GetValue<int>());
            Assert.All(server.Requests, r => Assert.Equal("12", r.Headers["publickeyid"]));
            Assert.Empty(server.Problems);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
