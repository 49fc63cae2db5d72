using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Vault.Core;
using Vault.Core.Codes;
using Vault.Core.Common;
using Vault.Core.Storage;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Codes;

/// <summary>
/// The service's codes key on first boot, when several instances start at once against the real Key Vault client and
/// the same tables: they must all seal and open codes under one key, or a code pushed to one instance is unreadable on
/// another for as long as both live.
/// </summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class CodeKeyTests : IAsyncLifetime
{
    private FakeKeyVault _vault = null!;
    private readonly string _prefix = "t" + Ids.RandomBase32(8);

    public async Task InitializeAsync() => _vault = await FakeKeyVault.StartAsync();

    public async Task DisposeAsync() => await _vault.DisposeAsync();

    [Fact]
    public async Task Instances_starting_together_agree_on_one_key_and_leave_one_secret()
    {
        var instances = Enumerable.Range(0, 8).Select(_ => NewInstance()).ToList();

        var keys = await Task.WhenAll(instances.Select(i => Task.Run(() => i.GetAsync(CancellationToken.None))));

        Assert.Single(keys.Select(Convert.ToBase64String).Distinct());
        Assert.Single(_vault.Names, n => n.StartsWith(CodeKey.SecretName, StringComparison.Ordinal));
        // A code sealed by one instance opens on another, and on one started later.
        var sealedCode = CodeKey.Seal(keys[0], "482913"u8.ToArray(), "run-a|row");
        Assert.Equal("482913"u8.ToArray(), CodeKey.Open(keys[7], sealedCode, "run-a|row"));
        Assert.Equal("482913"u8.ToArray(), CodeKey.Open(await NewInstance().GetAsync(CancellationToken.None), sealedCode, "run-a|row"));
    }

    [Fact]
    public async Task A_deployment_that_already_has_a_key_keeps_it()
    {
        var existing = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await Store().SetAsync(CodeKey.SecretName, existing, CancellationToken.None);

        var keys = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => NewInstance().GetAsync(CancellationToken.None)));

        Assert.All(keys, k => Assert.Equal(existing, Convert.ToBase64String(k)));
        Assert.Equal([CodeKey.SecretName], _vault.Names.Where(n => n.StartsWith(CodeKey.SecretName, StringComparison.Ordinal)));
    }

    private CodeKey NewInstance() =>
        new(Store(), new Tables(new TableServiceClient(AzuriteStorage.ConnectionString), Options.Create(new VaultOptions { TablePrefix = _prefix })));

    private KeyVaultSecretStore Store() => new(_vault.CreateClient(maxRetries: 0));
}
