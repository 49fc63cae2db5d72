using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Vault.Testing.OnePassword;

/// <summary>
/// A 1Password account held by the fake server, with one service account: its SRP verifier, unlock key, keyset,
/// vaults and items. <see cref="MintToken"/> makes the <c>ops_</c> token for it (docs/onepassword-protocol.md §1).
/// </summary>
public sealed class FakeOnePasswordAccount
{
    private readonly FakeOnePasswordServer? _server;

    /// <summary>An account of <paramref name="server"/>, or a detached one (only for minting tokens) when null.</summary>
    internal FakeOnePasswordAccount(FakeOnePasswordServer? server)
    {
        _server = server;
        Email = $"{FakeCrypto.NewId(false)[..13]}@1passwordserviceaccounts.com";
        // Secret keys use 1Password's alphabet without 0, 1, I, O, U (the SDK refuses other characters).
        const string alphabet = "23456789ABCDEFGHJKLMNPQRSTVWXYZ";
        var groups = new[] { 6, 6, 5, 5, 5, 5 }
            .Select(n => new string([.. Enumerable.Range(0, n).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)])])).ToArray();
        SecretKey = "A3-" + string.Join('-', groups);
        SecretKeyId = groups[0];
        SrpX = RandomNumberGenerator.GetBytes(32);
        Verifier = BigInteger.ModPow(FakeCrypto.G, FakeCrypto.Int(SrpX), FakeCrypto.N);
        Salt = RandomNumberGenerator.GetBytes(16);
        Muk = RandomNumberGenerator.GetBytes(32);
        DeviceUuid = FakeCrypto.NewId(false);
        UserUuid = FakeCrypto.NewId(true);
        ThrottleSeed = RandomNumberGenerator.GetBytes(32);
        ThrottleUuid = FakeCrypto.NewId(true);
        Keyset = new FakeKeyset();
    }

    public string Email { get; }
    public string SecretKey { get; }
    public string SecretKeyId { get; }
    public string DeviceUuid { get; }
    public string UserUuid { get; }
    public string ThrottleUuid { get; }
    internal byte[] SrpX { get; }
    internal BigInteger Verifier { get; }
    internal byte[] Salt { get; }
    internal byte[] Muk { get; }
    internal byte[] ThrottleSeed { get; }
    internal FakeKeyset Keyset { get; }

    /// <summary>A revoked service account: auth/start answers 401.</summary>
    public bool Revoked { get; set; }

    public List<FakeVault> Vaults { get; } = [];

    /// <summary>Secret strings of this account, for leak searches in tests.</summary>
    public IEnumerable<string> SecretStrings()
    {
        yield return Convert.ToHexStringLower(SrpX);
        yield return FakeCrypto.B64u(Muk);
        yield return SecretKey;
        yield return Convert.ToHexStringLower(ThrottleSeed);
        foreach (var item in Vaults.SelectMany(v => v.Items))
        {
            foreach (var secret in item.Secrets)
            {
                yield return secret;
            }
        }
    }

    public FakeVault AddVault(string name, string type = "U")
    {
        var vault = new FakeVault(name, type);
        Vaults.Add(vault);
        return vault;
    }

    /// <summary>
    /// The service account token for this account. <paramref name="tamper"/> may change the JSON payload (wrong keys,
    /// missing fields) before encoding.
    /// </summary>
    public string MintToken(string? signInAddress = null, Action<JsonObject>? tamper = null)
    {
        var payload = new JsonObject
        {
            ["signInAddress"] = signInAddress ?? _server?.Address ?? "my.1password.com",
            ["userAuth"] = new JsonObject { ["method"] = "SRPg-4096", ["alg"] = "PBES2g-HS256", ["iterations"] = 650000, ["salt"] = FakeCrypto.B64u(Salt) },
            ["email"] = Email,
            ["srpX"] = Convert.ToHexStringLower(SrpX),
            ["muk"] = new JsonObject
            {
                ["alg"] = "A256GCM", ["ext"] = true, ["k"] = FakeCrypto.B64u(Muk), ["key_ops"] = new JsonArray("decrypt", "encrypt"), ["kty"] = "oct", ["kid"] = "mp",
            },
            ["secretKey"] = SecretKey,
            ["throttleSecret"] = new JsonObject { ["seed"] = Convert.ToHexStringLower(ThrottleSeed), ["uuid"] = ThrottleUuid },
            ["deviceUuid"] = DeviceUuid,
        };
        tamper?.Invoke(payload);
        return "ops_" + FakeCrypto.B64u(Encoding.UTF8.GetBytes(payload.ToJsonString()));
    }

    internal JsonObject VaultJson(FakeVault vault, bool withAccess)
    {
        var json = new JsonObject
        {
            ["uuid"] = vault.Uuid,
            ["type"] = vault.Type,
            ["createdAt"] = "2025-01-06T09:00:00Z",
            ["updatedAt"] = "2025-03-01T10:00:00Z",
            ["attrVersion"] = 1,
            ["contentVersion"] = vault.ContentVersion,
            ["encAttrs"] = FakeCrypto.Seal(vault.Key, vault.KeyId, new JsonObject
            {
                ["uuid"] = vault.Uuid, ["name"] = vault.Name, ["desc"] = vault.Description, ["avatar"] = "", ["type"] = vault.Type,
            }),
            ["activeItemCount"] = vault.Items.Count(i => !i.Trashed),
            ["clientAccess"] = 2032,
        };
        if (withAccess)
        {
            json["combinedAccess"] = new JsonObject
            {
                ["vaultUuid"] = vault.Uuid,
                ["accessorType"] = "user",
                ["accessorUuid"] = UserUuid,
                ["accessVersion"] = 1,
                ["acl"] = 2032,
                ["leaseTimeout"] = 0,
                ["vaultKeySN"] = 1,
                ["encVaultKey"] = Keyset.WrapVaultKey(vault),
                ["encryptedBy"] = Keyset.Uuid,
            };
        }

        return json;
    }

    internal JsonObject KeysetsJson() => new() { ["keysets"] = new JsonArray(Keyset.Json(Muk)), ["version"] = 1 };
}

/// <summary>The account's keyset: symmetric key (under the MUK), RSA-OAEP key pair, EC signing key pair.</summary>
internal sealed class FakeKeyset
{
    private readonly byte[] _symmetric = RandomNumberGenerator.GetBytes(32);
    private readonly RSA _rsa = RSA.Create(2048);
    private readonly ECDsa _ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string Uuid { get; } = FakeCrypto.NewId(false);

    public JsonObject WrapVaultKey(FakeVault vault)
    {
        var jwk = FakeCrypto.SymmetricJwk(vault.Key, vault.KeyId);
        var data = _rsa.Encrypt(Encoding.UTF8.GetBytes(jwk.ToJsonString()), RSAEncryptionPadding.OaepSHA1);
        return new JsonObject { ["kid"] = Uuid, ["enc"] = "RSA-OAEP", ["cty"] = "b5+jwk+json", ["data"] = FakeCrypto.B64u(data) };
    }

    public JsonObject Json(byte[] muk)
    {
        var p = _rsa.ExportParameters(true);
        var e = _ec.ExportParameters(true);
        var encSymKey = FakeCrypto.Seal(muk, "mp", FakeCrypto.SymmetricJwk(_symmetric, Uuid));
        encSymKey["alg"] = "PBES2g-HS256";
        encSymKey["p2c"] = 650000;
        encSymKey["p2s"] = FakeCrypto.B64u(RandomNumberGenerator.GetBytes(16));
        var privateJwk = new JsonObject
        {
            ["alg"] = "RSA-OAEP", ["d"] = FakeCrypto.B64u(p.D), ["dp"] = FakeCrypto.B64u(p.DP), ["dq"] = FakeCrypto.B64u(p.DQ),
            ["e"] = FakeCrypto.B64u(p.Exponent), ["ext"] = true, ["key_ops"] = new JsonArray("decrypt"), ["kid"] = Uuid, ["kty"] = "RSA",
            ["n"] = FakeCrypto.B64u(p.Modulus), ["p"] = FakeCrypto.B64u(p.P), ["q"] = FakeCrypto.B64u(p.Q), ["qi"] = FakeCrypto.B64u(p.InverseQ),
        };
        var ecPrivate = new JsonObject
        {
            ["alg"] = "ES256", ["crv"] = "P-256", ["d"] = FakeCrypto.B64u(e.D), ["ext"] = true, ["key_ops"] = new JsonArray("sign"), ["kid"] = Uuid,
            ["kty"] = "EC", ["x"] = FakeCrypto.B64u(e.Q.X), ["y"] = FakeCrypto.B64u(e.Q.Y),
        };
        return new JsonObject
        {
            ["uuid"] = Uuid,
            ["encryptedBy"] = "mp",
            ["sn"] = 1,
            ["encSymKey"] = encSymKey,
            ["encPriKey"] = FakeCrypto.Seal(_symmetric, Uuid, privateJwk),
            ["pubKey"] = new JsonObject
            {
                ["alg"] = "RSA-OAEP", ["e"] = FakeCrypto.B64u(p.Exponent), ["ext"] = true, ["key_ops"] = new JsonArray("encrypt"), ["kid"] = Uuid,
                ["kty"] = "RSA", ["n"] = FakeCrypto.B64u(p.Modulus),
            },
            ["encSPriKey"] = FakeCrypto.Seal(_symmetric, Uuid, ecPrivate),
            ["spubKey"] = new JsonObject
            {
                ["alg"] = "ES256", ["crv"] = "P-256", ["ext"] = true, ["key_ops"] = new JsonArray("verify"), ["kid"] = Uuid, ["kty"] = "EC",
                ["x"] = FakeCrypto.B64u(e.Q.X), ["y"] = FakeCrypto.B64u(e.Q.Y),
            },
        };
    }
}

public sealed class FakeVault
{
    internal FakeVault(string name, string type)
    {
        Name = name;
        Type = type;
    }

    public string Uuid { get; } = FakeCrypto.NewId(false);
    public string Name { get; }
    public string Type { get; }
    public string Description { get; set; } = "";
    private long _contentVersion = 11;
    private string? _contentSeen;

    /// <summary>
    /// 1Password moves a vault's content version on every change of its items; the fake moves it when its items (or its
    /// description) differ from what they were the last time the version was asked for. Settable to force a value.
    /// </summary>
    public long ContentVersion
    {
        get
        {
            lock (Items)
            {
                var content = Description + "\n" + string.Join('\n', Items.Select(i =>
                    $"{i.Uuid}|{i.TemplateUuid}|{i.Trashed}|{i.Version}|{i.UpdatedAt}|{i.Overview.ToJsonString()}|{i.Details.ToJsonString()}"));
                if (_contentSeen is not null && content != _contentSeen)
                {
                    _contentVersion++;
                }

                _contentSeen = content;
                return _contentVersion;
            }
        }
        set
        {
            lock (Items)
            {
                _contentVersion = value;
                _contentSeen = null;
            }
        }
    }

    internal byte[] Key { get; } = RandomNumberGenerator.GetBytes(32);
    internal string KeyId { get; } = FakeCrypto.NewId(false);
    public List<FakeItem> Items { get; } = [];

    /// <summary>
    /// A Login (001). <paramref name="urls"/>: (url, label, m) entries of the overview's <c>URLs</c>; <paramref name="url"/>
    /// the overview's single <c>url</c>. <paramref name="totp"/>: the value of a TOTP_ section field.
    /// </summary>
    public FakeItem AddLogin(string title, string? username, string? password, IEnumerable<(string Url, string? Label, string? Match)>? urls = null,
        string? url = null, string? totp = null, bool trashed = false, string usernameType = "T")
    {
        var overview = Overview(title, urls, url, username);
        var fields = new JsonArray();
        if (username is not null)
        {
            fields.Add(new JsonObject { ["designation"] = "username", ["name"] = "username", ["type"] = usernameType, ["value"] = username });
        }

        if (password is not null)
        {
            fields.Add(new JsonObject { ["designation"] = "password", ["name"] = "password", ["type"] = "P", ["value"] = password });
        }

        var details = new JsonObject { ["fields"] = fields, ["notesPlain"] = $"notes of {title}" };
        var sections = new JsonArray();
        if (totp is not null)
        {
            sections.Add(new JsonObject
            {
                ["name"] = "add more",
                ["title"] = "",
                ["fields"] = new JsonArray(new JsonObject { ["k"] = "concealed", ["n"] = "TOTP_" + FakeCrypto.NewId(true), ["t"] = "one-time password", ["v"] = totp }),
            });
        }

        sections.Add(new JsonObject
        {
            ["name"] = "extra",
            ["title"] = "Extra",
            ["fields"] = new JsonArray(
                new JsonObject { ["k"] = "string", ["n"] = "note1", ["t"] = "account id", ["v"] = "12345" },
                new JsonObject { ["k"] = "concealed", ["n"] = "pin", ["t"] = "PIN", ["v"] = "9876" }),
        });
        details["sections"] = sections;
        details["passwordHistory"] = new JsonArray(new JsonObject { ["value"] = "old-" + (password ?? ""), ["time"] = 1720000000 });
        var item = new FakeItem("001", overview, details, trashed);
        item.Secrets.AddRange(new[] { password, totp }.Where(s => !string.IsNullOrEmpty(s))!);
        Items.Add(item);
        return item;
    }

    /// <summary>A Password item (005): its password lives in <c>details.password</c>.</summary>
    public FakeItem AddPassword(string title, string password, IEnumerable<(string Url, string? Label, string? Match)>? urls = null)
    {
        var details = new JsonObject { ["password"] = password, ["notesPlain"] = "", ["sections"] = new JsonArray() };
        var item = new FakeItem("005", Overview(title, urls, null, null), details, false);
        item.Secrets.Add(password);
        Items.Add(item);
        return item;
    }

    /// <summary>Any other category with section fields only (e.g. 003 Secure Note, 110 Server).</summary>
    public FakeItem AddOther(string templateUuid, string title, IEnumerable<(string Url, string? Label, string? Match)>? urls = null)
    {
        var details = new JsonObject
        {
            ["notesPlain"] = "text",
            ["sections"] = new JsonArray(new JsonObject
            {
                ["name"] = "admin_console",
                ["title"] = "Admin Console",
                ["fields"] = new JsonArray(
                    new JsonObject { ["k"] = "string", ["n"] = "admin_console_username", ["t"] = "admin console username", ["v"] = "root" },
                    new JsonObject { ["k"] = "concealed", ["n"] = "admin_console_password", ["t"] = "console password", ["v"] = "other-secret" }),
            }),
        };
        var item = new FakeItem(templateUuid, Overview(title, urls, null, "root"), details, false);
        Items.Add(item);
        return item;
    }

    private static JsonObject Overview(string title, IEnumerable<(string Url, string? Label, string? Match)>? urls, string? url, string? ainfo)
    {
        var overview = new JsonObject { ["title"] = title };
        var list = urls?.ToList();
        if (list is { Count: > 0 })
        {
            overview["url"] = list[0].Url;
            var array = new JsonArray();
            foreach (var (u, l, m) in list)
            {
                var entry = new JsonObject { ["u"] = u };
                if (l is not null)
                {
                    entry["l"] = l;
                }

                if (m is not null)
                {
                    entry["m"] = m;
                }

                array.Add(entry);
            }

            overview["URLs"] = array;
        }
        else if (url is not null)
        {
            overview["url"] = url;
        }

        if (ainfo is not null)
        {
            overview["ainfo"] = ainfo;
        }

        overview["tags"] = new JsonArray("work");
        overview["ps"] = 92;
        return overview;
    }
}

public sealed class FakeItem
{
    internal FakeItem(string templateUuid, JsonObject overview, JsonObject details, bool trashed)
    {
        TemplateUuid = templateUuid;
        Overview = overview;
        Details = details;
        Trashed = trashed;
    }

    public string Uuid { get; } = FakeCrypto.NewId(false);
    public string TemplateUuid { get; }
    public JsonObject Overview { get; }
    public JsonObject Details { get; }
    public bool Trashed { get; set; }
    public long Version { get; set; } = 4;
    public string UpdatedAt { get; set; } = "2025-03-02T11:22:33Z";
    internal List<string> Secrets { get; } = [];

    /// <summary>Changes a Login's or Password item's password as an edit in 1Password would: a new version and time.</summary>
    public void SetPassword(string password)
    {
        if (Details["fields"] is JsonArray fields && fields.OfType<JsonObject>().FirstOrDefault(f => (string?)f["designation"] == "password") is { } field)
        {
            field["value"] = password;
        }
        else
        {
            Details["password"] = password;
        }

        Secrets.Add(password);
        Version++;
        UpdatedAt = DateTimeOffset.Parse(UpdatedAt, System.Globalization.CultureInfo.InvariantCulture).AddMinutes(1)
            .ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
    }

    internal JsonObject Json(FakeVault vault, bool withDetails)
    {
        var json = new JsonObject
        {
            ["uuid"] = Uuid,
            ["templateUuid"] = TemplateUuid,
            ["trashed"] = Trashed ? "Y" : "N",
            ["createdAt"] = "2025-01-06T09:00:00Z",
            ["updatedAt"] = UpdatedAt,
            ["changerUuid"] = "CHANGERUUIDAAAAAAAAAAAAAAA",
            ["itemVersion"] = Version,
            ["encryptedBy"] = vault.KeyId,
            ["encOverview"] = FakeCrypto.Seal(vault.Key, vault.KeyId, Overview),
            ["faveIndex"] = 0,
        };
        if (withDetails)
        {
            json["encDetails"] = FakeCrypto.Seal(vault.Key, vault.KeyId, Details);
        }

        return json;
    }
}
