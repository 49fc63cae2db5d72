using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Vault.Testing.Keeper;

/// <summary>A record shared with a fake application: its uid, key, revision and plaintext data (Keeper's record JSON).</summary>
public sealed class FakeKeeperRecord
{
    public string Uid { get; } = FakeKeeperCrypto.NewUid();
    public byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);
    public long Revision { get; set; } = 1;
    public required JsonObject Data { get; set; }

    /// <summary>Serve this record's data encrypted under a wrong key (the SDK and the client must skip it).</summary>
    public bool Undecryptable { get; set; }

    public string Title => Data["title"]?.GetValue<string>() ?? "";

    /// <summary>Edits the record as the Keeper app would: new data, next revision.</summary>
    public void Edit(Action<JsonObject> change)
    {
        change(Data);
        Revision++;
    }

    /// <summary>A typed field: <c>{"type": …, "label"?: …, "value": [ … ]}</c>.</summary>
    public static JsonObject Field(string type, params string[] values) => new() { ["type"] = type, ["value"] = new JsonArray([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]) };

    public static JsonObject Labelled(string type, string label, params string[] values)
    {
        var field = Field(type, values);
        field["label"] = label;
        return field;
    }

    /// <summary>A record of <paramref name="type"/> with standard <paramref name="fields"/> and <paramref name="custom"/> ones.</summary>
    public static JsonObject RecordData(string type, string title, IEnumerable<JsonObject> fields, IEnumerable<JsonObject>? custom = null) => new()
    {
        ["title"] = title,
        ["type"] = type,
        ["fields"] = new JsonArray([.. fields]),
        ["custom"] = new JsonArray([.. custom ?? []]),
        ["notes"] = "",
    };
}
