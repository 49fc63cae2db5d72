using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Vault.Core.Common;
using Vault.Testing.Bitwarden;
using Vault.Testing.OnePassword;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.FunctionsHost;

/// <summary>
/// One Functions host for every test in the <see cref="Collection"/>: the built Vault.Functions app (no extra publish)
/// under the host on a free port, against the tests' Azurite, with the fake Bitwarden and 1Password servers, and a short
/// resync schedule so that the timer → queue → resync path runs within seconds. The app settings are those of
/// local.settings.sample.json with the test's own values over them. The host's process tree is killed at the end.
/// </summary>
public sealed class FunctionsHostFixture : IAsyncLifetime
{
    public const string Collection = "Functions host";
    public const string AdminKey = "host-test-admin-key-0123456789";

    /// <summary>
    /// Age at which a Bitwarden connection is due for the background resync here (× up to 1.25 jitter), timer every 2 s.
    /// 1Password connections are never resynced in the background here (budget 0), so HTTP sync counts are exact there.
    /// </summary>
    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    public FunctionsHostProcess Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public FakeBitwardenServer Bitwarden { get; private set; } = null!;
    public FakeOnePasswordServer OnePassword { get; private set; } = null!;

    /// <summary>The standalone app with the same settings, to compare what both modes serve at the same path.</summary>
    public VaultTestHost Standalone { get; private set; } = null!;

    public string AppDirectory { get; private set; } = "";

    /// <summary>From starting the host process to the first 200 of /v1/health.</summary>
    public TimeSpan StartupTime { get; private set; }

    public async Task InitializeAsync()
    {
        if (FunctionsHostLocator.Command is not { } command)
        {
            return; // every test here reports itself skipped with the reason
        }

        AppDirectory = await BuiltApp.DirectoryAsync();
        Bitwarden = await FakeBitwardenServer.StartAsync();
        OnePassword = await FakeOnePasswordServer.StartAsync();
        var settings = AppSettings(new Dictionary<string, string?>
        {
            ["Vault__ResyncSchedule"] = "*/2 * * * * *",
            ["Vault__ResyncInterval"] = ResyncInterval.ToString(),
            ["Vault__OnePassword__PrivateCaPem"] = OnePassword.Ca.CaPem,
        });

        var clock = Stopwatch.StartNew();
        Host = FunctionsHostProcess.Start(command, AppDirectory, settings, "flows");
        await Host.WaitUntilServingAsync("/v1/health", StartTimeout);
        StartupTime = clock.Elapsed;
        Host.Note($"{command} serving {AppDirectory} at {Host.BaseAddress} after {StartupTime.TotalSeconds:F1} s");
        // Every answer is checked against the document the host serves; unknown routes are the host's own 404 here.
        OpenApiContract contract;
        using (var plain = new HttpClient { BaseAddress = Host.BaseAddress })
        {
            contract = OpenApiContract.For(await plain.GetByteArrayAsync("/v1/openapi.json"));
        }

        Client = new HttpClient(new ContractCheckingHandler(() => contract, unknownRoutesAnsweredByHost: true))
        {
            BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(90),
        };

        Standalone = await VaultTestHost.StartAsync(
            new Dictionary<string, string> { ["Vault:OnePassword:PrivateCaPem"] = OnePassword.Ca.CaPem }, useScriptedProviders: false);
    }

    /// <summary>
    /// The app settings of a test host: local.settings.sample.json's values (so what it turns on, such as
    /// AzureWebJobsDisableHomepage, is what these tests see), then storage, keys and test switches, then
    /// <paramref name="overrides"/> (a null value removes the setting).
    /// </summary>
    public static Dictionary<string, string> AppSettings(IReadOnlyDictionary<string, string?> overrides)
    {
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json")))!["Values"]!.AsObject();
        var settings = sample
            .Where(kv => !string.IsNullOrEmpty(kv.Value?.GetValue<string>()))
            .ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());
        settings["AzureWebJobsStorage"] = AzuriteStorage.ConnectionString;
        settings["AzureFunctionsWebHost__hostid"] = "vault-test-" + Ids.RandomBase32(8).ToLowerInvariant(); // its own timer and host locks
        settings["AzureFunctionsJobHost__extensions__queues__maxPollingInterval"] = "00:00:01"; // host.json override for tests
        settings["Vault__AdminKey"] = AdminKey;
        settings["Vault__LocalSecretKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        settings["Vault__TablePrefix"] = "h" + Ids.RandomBase32(8);
        settings["Vault__Network__AllowPrivateProviderHosts"] = "true";
        settings["Vault__Resync__BitwardenSyncsPerMinute"] = "1000"; // every test's connections share the one fake server
        settings["Vault__Resync__BitwardenSyncsPerMinutePerEgressAddress"] = "1000"; // and so its service-wide budget
        settings["Vault__Resync__OnePasswordSyncsPerAccountPerDay"] = "0"; // see ResyncInterval
        foreach (var (key, value) in overrides)
        {
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Standalone is not null)
        {
            await Standalone.DisposeAsync();
        }

        if (Bitwarden is not null)
        {
            await Bitwarden.DisposeAsync();
        }

        if (OnePassword is not null)
        {
            await OnePassword.DisposeAsync();
        }
    }
}

[CollectionDefinition(FunctionsHostFixture.Collection)]
public sealed class FunctionsHostCollection : ICollectionFixture<FunctionsHostFixture>;
