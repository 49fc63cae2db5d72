using System.Diagnostics;
using Vault.Core.Providers;
using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>A tenant's Keeper host may be an attacker's: every answer is bounded as for the other providers.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class KeeperHostileTests
{
    [Fact]
    public async Task A_huge_answer_stops_at_the_byte_cap()
    {
        await using var kit = await KeeperTestKit.StartAsync(limits: new ProviderLimits { MaxResponseBytes = 1024 * 1024 });
        kit.Server.Fail(new KeeperFault { Kind = KeeperFaultKind.Huge, Bytes = 50L * 1024 * 1024 });
        await Assert.ThrowsAsync<ProviderResponseTooLargeException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
    }

    [Fact]
    public async Task A_dripping_answer_stops_at_the_body_timeout()
    {
        await using var kit = await KeeperTestKit.StartAsync(limits: new ProviderLimits { ResponseBodyTimeout = TimeSpan.FromSeconds(2) });
        kit.Server.Fail(new KeeperFault { Kind = KeeperFaultKind.Drip });
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(15));
    }

    [Theory]
    [InlineData(KeeperFaultKind.Garbage, 200)]
    [InlineData(KeeperFaultKind.Status, 500)]
    [InlineData(KeeperFaultKind.Status, 404)]
    public async Task Garbage_and_server_errors_are_unavailability(KeeperFaultKind kind, int status)
    {
        await using var kit = await KeeperTestKit.StartAsync();
        kit.Server.Fail(new KeeperFault { Kind = kind, Status = status });
        await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
    }

    [Fact]
    public async Task Too_many_records_or_fields_are_over_the_limits()
    {
        await using var kit = await KeeperTestKit.StartAsync(limits: new ProviderLimits { MaxItems = 3 });
        await Assert.ThrowsAsync<ProviderResponseTooLargeException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));

        await using var fields = await KeeperTestKit.StartAsync(limits: new ProviderLimits { MaxFieldsPerItem = 4 });
        await Assert.ThrowsAsync<ProviderResponseTooLargeException>(() => fields.Provider.ReadVaultAsync(fields.Context(), default));
    }

    [Fact]
    public async Task A_record_nested_past_the_depth_cap_is_over_the_limits()
    {
        await using var kit = await KeeperTestKit.StartAsync(limits: new ProviderLimits { MaxJsonDepth = 16 });
        var deep = new System.Text.Json.Nodes.JsonObject();
        var node = deep;
        for (var i = 0; i < 40; i++)
        {
            var next = new System.Text.Json.Nodes.JsonObject();
            node["x"] = next;
            node = next;
        }

        var data = FakeKeeperApplication.Login("Deep", "d", "deep-pw", ["https://deep.example.com"]);
        data["extra"] = deep;
        kit.Data.Application.Share(data);
        await Assert.ThrowsAsync<ProviderResponseTooLargeException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
    }
}
