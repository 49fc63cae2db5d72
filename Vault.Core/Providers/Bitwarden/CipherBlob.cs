using System.Formats.Cbor;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Vault.Core.Providers.Bitwarden.Api;
using Vault.Core.Providers.Bitwarden.Crypto;

namespace Vault.Core.Providers.Bitwarden;

/// <summary>
/// A "blob" cipher (encryption v2, security version ≥ 2): the cipher's <c>data</c> is the JSON
/// <c>{"format_version":1,"wrapped_cek":"&lt;EncString&gt;","envelope":"&lt;DataEnvelope&gt;"}</c>. The CEK is wrapped by the
/// cipher's own key; the envelope holds the versioned item <c>{"version":"1","content":{name, notes, typeData, …}}</c>
/// as CBOR. A legacy cipher's <c>data</c> has no <c>format_version</c>.
/// </summary>
public sealed record SealedCipherBlob(string WrappedCek, string Envelope)
{
    public const int FormatVersion = 1;

    /// <summary>The sealed blob in a cipher's <c>data</c>, or null for a field-level (legacy) cipher.</summary>
    public static SealedCipherBlob? TryParse(string? data)
    {
        if (string.IsNullOrWhiteSpace(data) || data.TrimStart()[0] != '{')
        {
            return null;
        }

        JsonObject? json;
        try
        {
            json = JsonNode.Parse(data) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (json is null || !json.ContainsKey("format_version"))
        {
            return null;
        }

        var version = json["format_version"] is JsonValue value && value.TryGetValue<int>(out var number) ? number : (int?)null;
        if (version != FormatVersion)
        {
            throw new UnsupportedVaultEncryptionException($"cipher blob format version {(version is null ? "unreadable" : version.Value.ToString(CultureInfo.InvariantCulture))}");
        }

        var wrappedCek = Json.String(json, "wrapped_cek");
        var envelope = Json.String(json, "envelope");
        return wrappedCek is null || envelope is null
            ? throw new EncStringException("Cipher blob without wrapped_cek or envelope.")
            : new SealedCipherBlob(wrappedCek, envelope);
    }

    /// <summary>Opens the blob with the cipher's key (user, organization or per-cipher key) and returns the item's CBOR.</summary>
    public byte[] Open(SymmetricKey cipherKey) =>
        DataEnvelope.Open(Envelope, EncString.DecryptKey(WrappedCek, cipherKey), DataEnvelope.VaultItemNamespace);

    public override string ToString() => "SealedCipherBlob { *** }";
}

/// <summary>The login part of a cipher blob (CBOR, serde field names in camelCase; typeData tagged by "type").</summary>
public sealed record BlobLogin(string Name, string? Username, string? Password, string? Totp, IReadOnlyList<(string Uri, int? Match)> Uris)
{
    public const string SupportedVersion = "1";

    /// <summary>The item as a login, or null when it is another kind (card, note, …).</summary>
    public static BlobLogin? Read(byte[] cbor)
    {
        Dictionary<string, object?> root;
        try
        {
            var reader = new CborReader(cbor, CborConformanceMode.Lax);
            root = CborTree.Read(reader, 0) as Dictionary<string, object?> ?? throw new EncStringException("A cipher blob is a CBOR map.");
            if (reader.BytesRemaining != 0)
            {
                throw new EncStringException("Trailing bytes after the cipher blob.");
            }
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or FormatException)
        {
            throw new EncStringException("Malformed cipher blob CBOR.");
        }

        var version = root.GetValueOrDefault("version");
        if (version is not SupportedVersion)
        {
            throw new UnsupportedVaultEncryptionException($"cipher blob version {Cose.Describe(version ?? "none")}");
        }

        var content = root.GetValueOrDefault("content") as Dictionary<string, object?> ?? throw new EncStringException("Cipher blob without content.");
        var typeData = content.GetValueOrDefault("typeData") as Dictionary<string, object?> ?? throw new EncStringException("Cipher blob without typeData.");
        if (typeData.GetValueOrDefault("type") is not "login")
        {
            return null;
        }

        var uris = new List<(string, int?)>();
        foreach (var entry in typeData.GetValueOrDefault("uris") as List<object?> ?? [])
        {
            if (entry is Dictionary<string, object?> uri && uri.GetValueOrDefault("uri") is string text)
            {
                uris.Add((text, uri.GetValueOrDefault("match") is long match and >= 0 and <= 255 ? (int)match : null));
            }
        }

        return new BlobLogin(
            content.GetValueOrDefault("name") as string ?? string.Empty,
            typeData.GetValueOrDefault("username") as string,
            typeData.GetValueOrDefault("password") as string,
            typeData.GetValueOrDefault("totp") as string,
            uris);
    }

    public override string ToString() => $"BlobLogin {{ Name = {Name}, *** }}";
}

/// <summary>A CBOR item as plain values: maps with text keys, lists, text, bytes, integers, booleans, null.</summary>
public static class CborTree
{
    private const int MaxDepth = 32;

    public static object? Read(CborReader reader, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new EncStringException("Cipher blob nested too deeply.");
        }

        switch (reader.PeekState())
        {
            case CborReaderState.StartMap:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                var count = reader.ReadStartMap();
                for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
                {
                    var key = Read(reader, depth + 1);
                    map[Convert.ToString(key, CultureInfo.InvariantCulture) ?? string.Empty] = Read(reader, depth + 1);
                }

                reader.ReadEndMap();
                return map;
            case CborReaderState.StartArray:
                var list = new List<object?>();
                var length = reader.ReadStartArray();
                for (var i = 0; length is null ? reader.PeekState() != CborReaderState.EndArray : i < length; i++)
                {
                    list.Add(Read(reader, depth + 1));
                }

                reader.ReadEndArray();
                return list;
            case CborReaderState.TextString:
                return reader.ReadTextString();
            case CborReaderState.ByteString:
                return reader.ReadByteString();
            case CborReaderState.UnsignedInteger:
                var unsigned = reader.ReadUInt64();
                return unsigned <= long.MaxValue ? (long)unsigned : unsigned;
            case CborReaderState.NegativeInteger:
                return reader.ReadInt64();
            case CborReaderState.Boolean:
                return reader.ReadBoolean();
            case CborReaderState.Null:
                reader.ReadNull();
                return null;
            case CborReaderState.Tag:
                reader.ReadTag();
                return Read(reader, depth + 1);
            default:
                reader.SkipValue(); // floats, undefined, simple values: nothing a login item uses
                return null;
        }
    }

    /// <summary>Writes plain values as CBOR (the fake server seals items with it).</summary>
    public static byte[] Write(object? value)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        Write(writer, value);
        return writer.Encode();
    }

    private static void Write(CborWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull();
                break;
            case string text:
                writer.WriteTextString(text);
                break;
            case bool flag:
                writer.WriteBoolean(flag);
                break;
            case int number:
                writer.WriteInt64(number);
                break;
            case long number:
                writer.WriteInt64(number);
                break;
            case byte[] bytes:
                writer.WriteByteString(bytes);
                break;
            case IEnumerable<KeyValuePair<string, object?>> map:
                var entries = map.ToList();
                writer.WriteStartMap(entries.Count);
                foreach (var (key, item) in entries)
                {
                    writer.WriteTextString(key);
                    Write(writer, item);
                }

                writer.WriteEndMap();
                break;
            case System.Collections.IEnumerable items:
                var all = items.Cast<object?>().ToList();
                writer.WriteStartArray(all.Count);
                foreach (var item in all)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                throw new ArgumentException("Unsupported CBOR value.", nameof(value));
        }
    }
}
