using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core;
using Vault.Core.Providers;
using Vault.Core.Providers.Network;
using Vault.Core.Providers.OnePassword;
using Vault.Core.Storage;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.OnePassword;

/// <summary>A fake server, an account with the standard test data, and a provider that trusts the fake's CA.</summary>
internal sealed class OnePasswordTestKit : IAsyncDisposable
{
    private OnePasswordTestKit(FakeOnePasswordServer server, FakeOnePasswordAccount account, StandardData data, TimeSpan attemptTimeout,
        TimeSpan sessionIdleTime, TimeProvider clock, int readsPerHour)
    {
        Server = server;
        Account = account;
        Data = data;
        Logs = new CapturingLoggerProvider();
        var network = Microsoft.Extensions.Options.Options.Create(new NetworkOptions
        {
            AllowPrivateProviderHosts = true, AttemptTimeout = attemptTimeout, TotalTimeout = attemptTimeout + attemptTimeout,
        });
        Clients = new ProviderHttpClients(network, clock);
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Options = new OnePasswordOptions { PrivateCaPem = server.Ca.CaPem, SessionIdleTime = sessionIdleTime, ReadsPerHour = readsPerHour, ReadsKeptForRuns = 0 };
        Tables = new Tables(new TableServiceClient(AzuriteStorage.ConnectionString),
            Microsoft.Extensions.Options.Options.Create(new VaultOptions { TablePrefix = "t" + Vault.Core.Common.Ids.RandomBase32(8) }));
        Budget = new ReadBudget(new Vault.Core.Resync.ProviderBudgetTable(Tables), Microsoft.Extensions.Options.Options.Create(Options), clock);
        Provider = new OnePasswordProvider(Clients, network, Microsoft.Extensions.Options.Options.Create(Options), Budget,
            LoggerFactory.CreateLogger<OnePasswordProvider>(), clock);
        Token = account.MintToken();
    }

    public FakeOnePasswordServer Server { get; }
    public FakeOnePasswordAccount Account { get; }
    public StandardData Data { get; }
    public CapturingLoggerProvider Logs { get; }
    public ProviderHttpClients Clients { get; }
    public ILoggerFactory LoggerFactory { get; }
    public OnePasswordProvider Provider { get; }

    /// <summary>The provider's settings (the budget reads them on every take, so tests may change them).</summary>
    public OnePasswordOptions Options { get; }

    /// <summary>This kit's own tables in Azurite (the read budget's counter lives there).</summary>
    public Tables Tables { get; }
    public ReadBudget Budget { get; }
    public string Token { get; }

    public static async Task<OnePasswordTestKit> StartAsync(TimeSpan? attemptTimeout = null,
        TimeSpan? sessionIdleTime = null, TimeProvider? clock = null, int readsPerHour = 1000)
    {
        var server = await FakeOnePasswordServer.StartAsync();
        var account = server.CreateAccount();
        var data = StandardData.Seed(account);
        return new OnePasswordTestKit(server, account, data, attemptTimeout ?? TimeSpan.FromSeconds(30),
            sessionIdleTime ?? TimeSpan.FromMinutes(10), clock ?? TimeProvider.System, readsPerHour);
    }

    public ProviderContext Context(string? token = null)
    {
        var credentials = Provider.ParseCredentials(new ConnectInput("1password", token ?? Token, null, null, null, null, null, null));
        return new ProviderContext("acct-1", "conn-1", credentials);
    }

    /// <summary>Everything a leak could show: the token, its parts and every item secret.</summary>
    public IEnumerable<string> Secrets() => Account.SecretStrings().Append(Token).Append(Token[4..40]);

    public async ValueTask DisposeAsync()
    {
        LoggerFactory.Dispose();
        Clients.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>The standard vaults and items: several kinds, URL shapes and one-time passwords.</summary>
internal sealed class StandardData
{
    public const string GitHubPassword = "gh-S3cret-pa55word!";
    public const string GitHubTotp = "otpauth://totp/GitHub:octo-alice?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
    public const string AwsPassword = "aws-Pa55-Zq9";
    public const string BareTotp = "GEZDGNBVGY3TQOJQ";

    public required FakeVault Personal { get; init; }
    public required FakeVault Acme { get; init; }
    public required FakeItem GitHub { get; init; }
    public required FakeItem Forum { get; init; }
    public required FakeItem Intranet { get; init; }
    public required FakeItem NoWebsite { get; init; }
    public required FakeItem Archived { get; init; }
    public required FakeItem WifiPassword { get; init; }
    public required FakeItem BarePassword { get; init; }
    public required FakeItem Note { get; init; }
    public required FakeItem Server { get; init; }
    public required FakeItem Aws { get; init; }

    public static StandardData Seed(FakeOnePasswordAccount account)
    {
        var personal = account.AddVault("Personal", "P");
        var acme = account.AddVault("Acme Corp");
        account.AddVault("Empty");
        return new StandardData
        {
            Personal = personal,
            Acme = acme,
            GitHub = personal.AddLogin("GitHub", "octo-alice", GitHubPassword,
                [("https://github.com/login", "website", null), ("https://admin.example.com", "admin", "host"), ("https://gist.github.com", null, "default")],
                totp: GitHubTotp),
            Forum = personal.AddLogin("Legacy Forum", "alice@example.org", "forum-pw-771", url: "forum.example.org/signin", totp: BareTotp),
            Intranet = personal.AddLogin("Intranet", "alice", "intra-pw-5521",
                [("https://intranet.example.net/", "website", "never"), ("androidapp://com.example.intranet", "app", null), ("https://bücher.example/login", null, null)]),
            NoWebsite = personal.AddLogin("No Website", "nobody", "nw-pw-123"),
            Archived = personal.AddLogin("Old Shop", "alice", "archived-pw-9", [("https://shop.example.com", "website", null)], trashed: true),
            WifiPassword = personal.AddPassword("Router admin", "router-pw-3322", [("http://192.168.1.1", "website", null)]),
            BarePassword = personal.AddPassword("Loose password", "loose-pw-0001"),
            Note = personal.AddOther("003", "A note"),
            Server = personal.AddOther("110", "Build server", [("https://ci.example.com", "website", null)]),
            Aws = acme.AddLogin("AWS Console", "ops@acme.example", AwsPassword, [("https://console.aws.amazon.com", "website", null)], usernameType: "E"),
        };
    }
}

internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            owner._lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{structured}] {exception}");
        }
    }
}

/// <summary>Runs sdk-judge.mjs with the official SDK from the repository's node_modules.</summary>
internal static class SdkJudge
{
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Vault.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (Vault.sln) above " + AppContext.BaseDirectory);
    }

    public static async Task<JsonElement> RunAsync(FakeOnePasswordServer server, string token, params string[] args)
    {
        var root = RepoRoot();
        var sdk = Path.Combine(root, "node_modules", "@1password", "sdk", "package.json");
        Assert.True(File.Exists(sdk),
            $"The official 1Password SDK is not installed ({sdk} is missing): run `npm ci` in {root} (./test does) before these tests.");
        var script = Path.Combine(root, "Vault.Tests", "OnePassword", "sdk-judge.mjs");
        var start = new ProcessStartInfo("node") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["OP_SERVICE_ACCOUNT_TOKEN"] = token;
        start.Environment["NODE_EXTRA_CA_CERTS"] = server.Ca.CaPemPath;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        var errors = await stderr;
        Assert.True(process.ExitCode == 0, $"The official SDK failed against the fake (exit {process.ExitCode}): {output} {errors}\n" +
            "Requests: " + string.Join(", ", server.Requests.Select(r => $"{r.Method} {r.PathAndQuery}")));
        return JsonDocument.Parse(output).RootElement.Clone();
    }
}
