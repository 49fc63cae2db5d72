using Vault.Testing.Keeper;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Keeper;

/// <summary>
/// The fake Keeper server with the standard records, and a standalone host with the real provider configured as the
/// acceptance checks configure it (the fake's server key by the settings, the door open): what the host-level Keeper
/// tests share.
/// </summary>
internal sealed record KeeperHost(FakeKeeperServer Server, KeeperStandardData Data, VaultTestHost Host)
{
    public const int ServerKeyId = 10;

    public static async Task<KeeperHost> StartAsync()
    {
        var server = await FakeKeeperServer.StartAsync(null, ServerKeyId);
        var data = KeeperStandardData.Seed(server.CreateApplication("Agents fleet"));
        var host = await VaultTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Vault:Keeper:PrivateCaPem"] = server.Ca.CaPem,
            ["Vault:Keeper:ServerPublicKey"] = server.PublicKeyOf(ServerKeyId),
            ["Vault:Keeper:ServerPublicKeyId"] = ServerKeyId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, useScriptedProviders: false);
        return new KeeperHost(server, data, host);
    }
}
