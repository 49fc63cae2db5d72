using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Vault.Testing.Keeper;

/// <summary>A Secrets Manager application: its key, the records shared with it directly, and its shared folders.</summary>
public sealed class FakeKeeperApplication
{
    public byte[] AppKey { get; } = RandomNumberGenerator.GetBytes(32);
    public required string Title { get; set; }
    public byte[] OwnerPublicKey { get; } = NewPoint();
    public List<FakeKeeperRecord> Records { get; } = [];
    public List<FakeKeeperFolder> Folders { get; } = [];

    /// <summary>Access removed in Keeper's console: every device is refused from then on.</summary>
    public bool Revoked { get; set; }

    public FakeKeeperRecord Share(JsonObject data)
    {
        var record = new FakeKeeperRecord { Data = data };
        lock (Records)
        {
            Records.Add(record);
        }

        return record;
    }

    public FakeKeeperFolder Folder(string name)
    {
        var folder = new FakeKeeperFolder { Name = name };
        Folders.Add(folder);
        return folder;
    }

    public IEnumerable<FakeKeeperRecord> AllRecords() => Records.Concat(Folders.SelectMany(f => f.Records));

    /// <summary>A login record as Keeper's "login" type holds it.</summary>
    public static JsonObject Login(string title, string login, string password, string[] urls, string? totp = null, params (string Label, string Value)[] custom) =>
        FakeKeeperRecord.RecordData("login", title,
            [
                FakeKeeperRecord.Field("login", login),
                FakeKeeperRecord.Field("password", password),
                .. urls.Select(u => FakeKeeperRecord.Field("url", u)),
                FakeKeeperRecord.Field("fileRef"),
                totp is null ? FakeKeeperRecord.Field("oneTimeCode") : FakeKeeperRecord.Field("oneTimeCode", totp),
            ],
            custom.Select(c => FakeKeeperRecord.Labelled("text", c.Label, c.Value)));

    private static byte[] NewPoint()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return FakeKeeperCrypto.PublicPoint(key);
    }
}
