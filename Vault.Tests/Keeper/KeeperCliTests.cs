using Vault.Cli;
using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary><c>vault connect keeper</c>: the token from stdin, never echoed, against the standalone host and the fake.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class KeeperCliTests : IAsyncLifetime
{
    private readonly string _configHome = Directory.CreateTempSubdirectory("vault-cli-keeper-").FullName;
    private FakeKeeperServer _server = null!;
    private KeeperStandardData _data = null!;
    private VaultTestHost _host = null!;

    public async Task InitializeAsync()
    {
        (_server, _data, _host) = await KeeperHost.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _server.DisposeAsync();
        Directory.Delete(_configHome, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> Vault(string apiKey, string stdin, params string[] args)
    {
        var environment = new Dictionary<string, string?> { ["XDG_CONFIG_HOME"] = _configHome, ["VAULT_URL"] = _host.BaseAddress.ToString().TrimEnd('/'), ["VAULT_API_KEY"] = apiKey };
        var output = new StringWriter();
        var error = new StringWriter();
        var io = new CliIo(new StringReader(stdin), output, error, interactive: false, name => environment.GetValueOrDefault(name));
        return (await VaultCli.RunAsync(args, io), output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Connect_keeper_reads_the_token_from_stdin()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var token = _server.MintToken(_data.Application);
        var connected = await Vault(apiKey, token + "\n", "connect", "keeper");
        Assert.True(connected.Code == ExitCodes.Success, connected.Err);
        Assert.Contains("keeper", connected.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token[(token.LastIndexOf(':') + 1)..], connected.Out + connected.Err, StringComparison.Ordinal);

        // The same token before any sync (a retry after a lost answer): the kept binding re-connects it in place.
        var retried = await Vault(apiKey, token + "\n", "connect", "keeper");
        Assert.True(retried.Code == ExitCodes.Success, retried.Err);
        Assert.Equal(ExitCodes.Usage, (await Vault(apiKey, "", "connect", "keeper")).Code);
        Assert.Equal(ExitCodes.Refused, (await Vault(apiKey, "US:c2hvcnQ\n", "connect", "keeper")).Code);
    }
}
