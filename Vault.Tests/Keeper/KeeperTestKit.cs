using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
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

/// <summary>An in-memory pending-binding store that counts its calls and can be told to fail.</summary>
internal sealed class MemoryBindings : IPendingBindingStore
{
    public ConcurrentDictionary<string, string> Values { get; } = new(StringComparer.Ordinal);
    public bool FailWrites { get; set; }
    public int Writes { get; private set; }

    /// <summary>Names removed before are refused, as Key Vault's soft delete refuses them.</summary>
    public bool KeepDeletedNames { get; set; }

    public ConcurrentDictionary<string, bool> Deleted { get; } = new(StringComparer.Ordinal);

    public Task<bool> SetAsync(string name, string sealedValue, CancellationToken ct)
    {
        Writes++;
        if (FailWrites)
        {
            throw new TimeoutException("the secret store is down");
        }

        if (KeepDeletedNames && Deleted.ContainsKey(name))
        {
            return Task.FromResult(false);
        }

        Values[name] = sealedValue;
        return Task.FromResult(true);
    }

    public Task<string?> GetAsync(string name, CancellationToken ct) => Task.FromResult(Values.TryGetValue(name, out var v) ? v : null);

    public Task DeleteAsync(string name, CancellationToken ct)
    {
        if (Values.TryRemove(name, out _))
        {
            Deleted[name] = true;
        }

        return Task.CompletedTask;
    }
}

/// <summary>Runs Vault.Tests/Keeper/sdk-judge.mjs with Keeper's official SDK from the repository's node_modules.</summary>
internal static class KeeperSdkJudge
{
    public static async Task<(int ExitCode, JsonElement Output)> RunAsync(FakeKeeperServer server, int keyId, long totpAt, params string[] args)
    {
        var root = SdkJudge.RepoRoot();
        var sdk = Path.Combine(root, "node_modules", "@keeper-security", "secrets-manager-core", "package.json");
        Assert.True(File.Exists(sdk), $"Keeper's official SDK is not installed ({sdk} is missing): run `npm ci` in {root} (./test does).");
        var start = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(root, "Vault.Tests", "Keeper", "sdk-judge.mjs"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NODE_EXTRA_CA_CERTS"] = server.Ca.CaPemPath;
        start.Environment["KSM_SERVER_PUBLIC_KEY"] = server.PublicKeyOf(keyId);
        start.Environment["KSM_SERVER_PUBLIC_KEY_ID"] = keyId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["TOTP_AT"] = totpAt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        Assert.True(process.ExitCode is 0 or 2, $"The Keeper SDK judge did not run (exit {process.ExitCode}): {output} {await stderr}");
        return (process.ExitCode, JsonDocument.Parse(output).RootElement.Clone());
    }

    /// <summary>Runs the judge and requires success.</summary>
    public static async Task<JsonElement> ReadAsync(FakeKeeperServer server, int keyId, long totpAt, params string[] args)
    {
        var (exit, output) = await RunAsync(server, keyId, totpAt, args);
        Assert.True(exit == 0, "Keeper's SDK failed against the fake: " + output.GetRawText() +
            "\nRequests: " + string.Join(", ", server.Requests.Select(r => $"{r.Path} {r.Status}")) + "\nProblems: " + string.Join("; ", server.Problems));
        return output;
    }
}
