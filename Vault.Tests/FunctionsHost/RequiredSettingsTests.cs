using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vault.Functions.Hosting;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.FunctionsHost;

/// <summary>
/// A required setting missing stops the app at start-up with a message naming it, in standalone mode and under the
/// Functions host (where the host would otherwise disable the resync timer and serve everything else); and every place
/// the app is configured sets what the host needs.
/// </summary>
[Trait(TestKind.Trait, TestKind.Host)]
public sealed class RequiredSettingsTests
{
    /// <summary>App settings the host needs that have no safe default; each must be set wherever the app is configured.</summary>
    private static readonly string[] HostSettings = ["Vault__ResyncSchedule", "AzureWebJobsDisableHomepage"];

    [Theory]
    [InlineData(null, "Vault__ResyncSchedule is not set")]
    [InlineData("", "Vault__ResyncSchedule is not set")]
    [InlineData("0 */15 * * *", "is not an NCRONTAB schedule with seconds")]
    [InlineData("every 15 minutes", "is not an NCRONTAB schedule with seconds")]
    public async Task Standalone_refuses_to_start_without_a_valid_resync_schedule(string? schedule, string message)
    {
        List<string> args = ["--urls=http://127.0.0.1:0", $"--AzureWebJobsStorage={AzuriteStorage.ConnectionString}",
            "--Vault:AllowLocalSecretStore=true", $"--Vault:LocalSecretKey={Convert.ToBase64String(new byte[32])}"];
        if (schedule is not null)
        {
            args.Add($"--Vault:ResyncSchedule={schedule}");
        }

        await using var app = StandaloneHost.Build([.. args]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(message, StartupErrors.Describe(error), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Vault:RateLimit:PerMinute", "0", "Vault__RateLimit__PerMinute must be at least 1.")]
    [InlineData("Vault:Codes:SmtpPort", "70000", "Vault__Codes__SmtpPort must be a TCP port (1-65535).")]
    [InlineData("Vault:Resync:JitterFraction", "2", "Vault__Resync__JitterFraction must be between 0 and 1.")]
    [InlineData("Vault:Resync:EgressAddresses", "0", "Vault__Resync__EgressAddresses must be between 1 and 1000.")]
    [InlineData("Vault:Resync:BitwardenSyncsPerMinutePerEgressAddress", "-1", "Vault__Resync__BitwardenSyncsPerMinutePerEgressAddress must be 0")]
    [InlineData("Vault:Resync:BackfillRowsPerTick", "10", "Vault__Resync__BackfillRowsPerTick must be at least 1000")]
    [InlineData("Vault:KeyDerivation:MaxMemoryMiB", "1", "Vault__KeyDerivation__MaxMemoryMiB must be between 64")]
    [InlineData("Vault:LocalSecretKey", "c2hvcnQ=", "Vault__LocalSecretKey must be base64 of exactly 32 random bytes.")]
    [InlineData("Vault:AllowLocalSecretStore", "false", "No secret store: set Vault__KeyVaultUri")]
    public async Task A_setting_out_of_range_stops_start_up_naming_it(string key, string value, string message)
    {
        await using var app = StandaloneHost.Build(["--urls=http://127.0.0.1:0", $"--AzureWebJobsStorage={AzuriteStorage.ConnectionString}",
            "--Vault:AllowLocalSecretStore=true", $"--Vault:LocalSecretKey={Convert.ToBase64String(new byte[32])}", "--Vault:ResyncSchedule=0 */15 * * * *",
            $"--{key}={value}"]);
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains(message, StartupErrors.Describe(error), StringComparison.Ordinal);
    }

    [FunctionsHostFact]
    public async Task Under_the_host_the_worker_stops_with_the_message_instead_of_running_without_its_timer()
    {
        var settings = FunctionsHostFixture.AppSettings(new Dictionary<string, string?> { ["Vault__ResyncSchedule"] = null });
        await using var host = FunctionsHostProcess.Start(FunctionsHostLocator.Command!, await BuiltApp.DirectoryAsync(), settings, "missing-setting");

        Assert.True(await host.WaitForLogAsync("Vault cannot start: Vault__ResyncSchedule is not set", TimeSpan.FromMinutes(3)),
            $"No start-up error in the host log ({host.LogPath}):\n{host.Tail()}");
        Assert.DoesNotContain("Job host started", host.Log, StringComparison.Ordinal);
        using var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var served = false;
        try
        {
            using var response = await client.GetAsync("/v1/health");
            served = response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
        }

        Assert.False(served, "The host served the app although a required setting is missing.");
    }

    [Fact]
    public void Local_settings_sample_sets_what_the_host_needs()
    {
        var values = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "local.settings.sample.json")))!["Values"]!.AsObject();
        Assert.Equal("true", values["AzureWebJobsDisableHomepage"]?.GetValue<string>());
        Assert.Equal("dotnet-isolated", values["FUNCTIONS_WORKER_RUNTIME"]?.GetValue<string>());
        // The sample's settings pass the app's own start-up validation (the local key is generated per machine).
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => KeyValuePair.Create(kv.Key.Replace("__", ":", StringComparison.Ordinal), kv.Value?.GetValue<string>())))
            .AddInMemoryCollection([KeyValuePair.Create<string, string?>("Vault:LocalSecretKey", Convert.ToBase64String(new byte[32]))])
            .Build();
        using var services = new ServiceCollection().AddLogging().AddVaultApp(configuration).BuildServiceProvider();
        Assert.NotNull(services.GetRequiredService<IOptions<Vault.Core.VaultOptions>>().Value);
    }

    [Theory]
    [InlineData("infra/modules/functionapp.bicep")]
    [InlineData("scripts/common.sh")]
    public void Every_place_that_starts_the_app_sets_the_host_settings(string file)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, file));
        Assert.All(HostSettings, setting => Assert.Contains(setting, text, StringComparison.Ordinal));
        Assert.Matches(@"AzureWebJobsDisableHomepage['""]?\s*[,:=]\s*(value:\s*)?['""]?true", text);
    }
}
