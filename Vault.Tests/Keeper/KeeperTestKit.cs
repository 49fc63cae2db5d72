using Microsoft.Extensions.Logging;
using Vault.Core.Providers;
using Vault.Core.Providers.Keeper;
using Vault.Core.Providers.Network;
using Vault.Testing.Keeper;
using Vault.Tests.OnePassword;

namespace Vault.Tests.Keeper;

/// <summary>A fake Keeper server with the standard application, and a provider that trusts its CA and its server keys.</summary>
internal sealed class KeeperTestKit : IAsyncDisposable
{
    private KeeperTestKit(FakeKeeperServer server, KeeperStandardData data, KeeperOptions options, TimeSpan attemptTimeout, TimeProvider clock, ProviderLimits? limits)
    {
        Server = server;
        Data = data;
        Logs = new CapturingLoggerProvider();
        var network = Microsoft.Extensions.Options.Options.Create(new NetworkOptions
        {
            AllowPrivateProviderHosts = true, AttemptTimeout = attemptTimeout, TotalTimeout = attemptTimeout + attemptTimeout,
        });
        Clients = new ProviderHttpClients(network, clock, limits is null ? null : Microsoft.Extensions.Options.Options.Create(limits));
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Options = options;
        Provider = new KeeperProvider(Clients, network, Microsoft.Extensions.Options.Options.Create(options), Bindings,
            LoggerFactory.CreateLogger<KeeperProvider>(), clock);
        Token = server.MintToken(data.Application);
    }

    public FakeKeeperServer Server { get; }
    public KeeperStandardData Data { get; }
    public CapturingLoggerProvider Logs { get; }
    public ProviderHttpClients Clients { get; }
    public ILoggerFactory LoggerFactory { get; }
    public KeeperOptions Options { get; }
    public KeeperProvider Provider { get; }
    public MemoryBindings Bindings { get; } = new();

    /// <summary>A one-time token of the standard application (<c>localhost:port:key</c>).</summary>
    public string Token { get; }

    /// <summary>
    /// Server keys 10 and 11; the provider knows both (<c>ServerPublicKeySet</c>) or only the one of <paramref name="only"/>
    /// (as <c>Vault__Keeper__ServerPublicKey</c>/<c>Id</c> give it).
    /// </summary>
    public static async Task<KeeperTestKit> StartAsync(int? only = null, TimeSpan? attemptTimeout = null, TimeProvider? clock = null, ProviderLimits? limits = null)
    {
        var server = await FakeKeeperServer.StartAsync(null, 10, 11);
        var data = KeeperStandardData.Seed(server.CreateApplication("Agents fleet"));
        return new KeeperTestKit(server, data, OptionsFor(server, only), attemptTimeout ?? TimeSpan.FromSeconds(30), clock ?? TimeProvider.System, limits);
    }

    public static KeeperOptions OptionsFor(FakeKeeperServer server, int? only = null) => only is { } id
        ? new KeeperOptions { PrivateCaPem = server.Ca.CaPem, ServerPublicKey = server.PublicKeyOf(id), ServerPublicKeyId = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }
        : new KeeperOptions { PrivateCaPem = server.Ca.CaPem, ServerPublicKeySet = server.KeyIds.ToDictionary(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture), server.PublicKeyOf) };

    public ProviderContext Context(string? token = null, string accountId = "acct-1") =>
        new(accountId, "conn-1", Provider.ParseCredentials(new ConnectInput("keeper", token ?? Token, null, null, null, null, null, null)));

    /// <summary>A sync of a stored connection: the device the last read returned.</summary>
    public static ProviderContext Stored(ProviderContext previous, Vault.Core.Snapshots.VaultSnapshot snapshot) =>
        previous with { Credentials = previous.Credentials with { Secret = snapshot.RefreshedSecret ?? previous.Credentials.Secret } };

    /// <summary>Everything a leak could show: the token's key, the app's and records' keys, every secret value.</summary>
    public IEnumerable<string> Secrets() =>
        Data.SecretStrings().Append(Token[(Token.LastIndexOf(':') + 1)..]).Append(FakeKeeperCrypto.B64(Data.Application.AppKey));

    public async ValueTask DisposeAsync()
    {
        LoggerFactory.Dispose();
        Clients.Dispose();
        await Server.DisposeAsync();
    }
}
