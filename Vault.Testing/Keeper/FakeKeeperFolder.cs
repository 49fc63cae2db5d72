using System.Security.Cryptography;

namespace Vault.Testing.Keeper;

/// <summary>A shared folder of a fake application: its key (under the app key) and records (keys under the folder key).</summary>
public sealed class FakeKeeperFolder
{
    public string Uid { get; } = FakeKeeperCrypto.NewUid();
    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);
    public required string Name { get; set; }
    public List<FakeKeeperRecord> Records { get; } = [];
}
