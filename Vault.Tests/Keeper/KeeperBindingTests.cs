using Vault.Core.Providers;
using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>A one-time token binds once: its device key is kept before the binding leaves, so no failure burns it.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class KeeperBindingTests
{
    [Fact]
    public async Task Nothing_is_sent_when_the_device_key_cannot_be_kept_first()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        kit.Bindings.FailWrites = true;
        await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.Empty(kit.Server.Requests);

        kit.Bindings.FailWrites = false; // the token is still good
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.NotEmpty(snapshot.Items);
    }

    [Fact]
    public async Task A_lost_binding_answer_is_completed_by_the_same_token_with_the_same_device()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        kit.Server.Fail(new KeeperFault { Kind = KeeperFaultKind.LoseAnswer, Binding = true, Remaining = 1 });
        await Assert.ThrowsAsync<ProviderUnavailableException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        var client = Assert.Single(kit.Server.Clients, c => c.BoundPublicKey is not null);
        var boundKey = client.BoundPublicKey!;

        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Equal(kit.Context().Credentials.Identity, client.ClientId);
        Assert.Equal(2, client.Bindings);
        Assert.Equal(boundKey, client.BoundPublicKey);
        Assert.True(client.Confirmed);
        Assert.Equal(kit.Data.Logins.Count(), snapshot.Items.Count(i => i.Uris.Count > 0));
        Assert.Empty(kit.Server.Problems);
    }

    [Fact]
    public async Task After_a_binding_whose_connection_was_not_stored_the_same_token_reads_without_binding_again()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        await kit.Provider.ReadVaultAsync(kit.Context(), default); // bound and confirmed; imagine the connect failed after this
        kit.Server.ClearRequests();
        var snapshot = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        var request = Assert.Single(kit.Server.Requests);
        Assert.DoesNotContain("publicKey", request.Payload!, StringComparison.Ordinal);
        Assert.NotEmpty(snapshot.Items);
    }

    [Fact]
    public async Task The_first_sync_from_the_stored_connection_removes_the_pending_binding_and_the_token_is_used_from_then_on()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Single(kit.Bindings.Values);
        var second = await kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default);
        Assert.Empty(kit.Bindings.Values);
        Assert.DoesNotContain("vaultPendingBinding", second.RefreshedSecret!, StringComparison.Ordinal);
        Assert.DoesNotContain("clientKey", second.RefreshedSecret!, StringComparison.Ordinal);

        // The token again: a new device key, which Keeper refuses (the token is used); nothing is left behind.
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.Empty(kit.Bindings.Values);
    }

    [Fact]
    public async Task A_connection_deleted_before_its_second_sync_takes_its_pending_binding_with_it()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        Assert.Single(kit.Bindings.Values);
        kit.Server.ClearRequests();

        await kit.Provider.ForgetAsync(KeeperTestKit.Stored(kit.Context(), first), default);

        Assert.Empty(kit.Bindings.Values);
        Assert.Empty(kit.Server.Requests); // forgetting asks nothing of Keeper
    }

    [Fact]
    public async Task With_a_store_that_never_reuses_a_name_a_used_token_is_refused_without_a_request()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        kit.Bindings.KeepDeletedNames = true; // Key Vault: a soft-deleted name cannot be written again
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        await kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default);
        kit.Server.ClearRequests();
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() => kit.Provider.ReadVaultAsync(kit.Context(), default));
        Assert.Empty(kit.Server.Requests);
    }

    [Fact]
    public async Task No_key_of_the_device_or_the_application_appears_in_the_log()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var first = await kit.Provider.ReadVaultAsync(kit.Context(), default);
        await kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default);
        kit.Data.Application.Revoked = true;
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() => kit.Provider.ReadVaultAsync(KeeperTestKit.Stored(kit.Context(), first), default));
        var device = System.Text.Json.JsonDocument.Parse(first.RefreshedSecret!).RootElement;
        var secrets = kit.Secrets().Append(device.GetProperty("privateKey").GetString()!).Append(device.GetProperty("appKey").GetString()!)
            .Concat(kit.Bindings.Values.Values).Concat(kit.Data.Logins.Select(r => FakeKeeperCrypto.B64(r.Key))).ToList();
        var log = string.Join("\n", kit.Logs.Lines);
        Assert.NotEmpty(kit.Logs.Lines);
        foreach (var secret in secrets)
        {
            Assert.False(log.Contains(secret, StringComparison.Ordinal), "A Keeper secret appeared in the log.");
        }

        Assert.DoesNotContain(first.RefreshedSecret!, first.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_tenant_never_finds_a_pending_binding_and_a_token_bound_elsewhere_is_refused()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        await kit.Provider.ReadVaultAsync(kit.Context(accountId: "acct-1"), default);
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() => kit.Provider.ReadVaultAsync(kit.Context(accountId: "acct-2"), default));
        Assert.Single(kit.Bindings.Values); // acct-1's, untouched
    }

    [Fact]
    public async Task A_token_of_an_unknown_device_is_refused()
    {
        await using var kit = await KeeperTestKit.StartAsync();
        var unknown = kit.Server.Address + ":" + FakeKeeperCrypto.B64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        await Assert.ThrowsAsync<ProviderRejectedCredentialsException>(() => kit.Provider.ReadVaultAsync(kit.Context(unknown), default));
        Assert.Empty(kit.Bindings.Values);
    }
}
