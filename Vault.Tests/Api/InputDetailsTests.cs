using System.Text.Json.Nodes;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Api;

/// <summary>
/// INVALID_INPUT's <c>details</c> as the real providers' validation writes them: one entry per problem, with the field's
/// JSON path and the contract's detail code, so a client (or the dashboard's form) can mark each field.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class InputDetailsTests : IAsyncLifetime
{
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(new Dictionary<string, string>(), useScriptedProviders: false);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string, string> DetailCases => new()
    {
        // body, then each expected detail as "path=code" joined by ';' (path segments joined by '/'; the whole body is the empty path)
        { "{", "=invalid_json" },
        { "[]", "=invalid_type" },
        { "{\"provider\": 5}", "provider=invalid_type" },
        { "{\"provider\": \"lastpass\"}", "provider=not_allowed" },
        { "{}", "provider=required" },
        { "{\"provider\": \"1password\", \"token\": \"abc\"}", "token=invalid_format" },
        { "{\"provider\": \"bitwarden\"}", "clientId=required;clientSecret=required;masterPassword=required" },
        { "{\"provider\": \"bitwarden\", \"clientId\": \"alice\", \"clientSecret\": \"s\", \"masterPassword\": \"m\"}", "clientId=invalid_format" },
        { "{\"provider\": \"bitwarden\", \"clientId\": \"user.8f4c2b1e-7d3a-4e5f-9a1b-2c3d4e5f6a7b\", \"clientSecret\": \"s\", \"masterPassword\": \"m\", \"region\": \"mars\"}", "region=not_allowed" },
        { "{\"provider\": \"bitwarden\", \"clientId\": \"user.8f4c2b1e-7d3a-4e5f-9a1b-2c3d4e5f6a7b\", \"clientSecret\": \"s\", \"masterPassword\": \"m\", \"serverUrl\": \"http://vault.example.com\"}", "serverUrl=invalid_format" },
    };

    [Theory]
    [MemberData(nameof(DetailCases))]
    public async Task Invalid_input_names_each_problem_in_details(string body, string expected)
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var response = await _host.SendRawAsync(HttpMethod.Post, "/v1/vault/connections", apiKey, body);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("INVALID_INPUT", json["error"]!["code"]!.GetValue<string>());
        var details = json["error"]!["details"]!.AsArray()
            .Select(d => string.Join('/', d!["path"]!.AsArray().Select(p => p!.ToString())) + "=" + d["code"]!.GetValue<string>());
        Assert.Equal(expected.Split(';'), details);
    }
}
