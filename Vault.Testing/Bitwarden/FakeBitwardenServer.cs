using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Vault.Core.Providers.Bitwarden;
using Vault.Core.Providers.Bitwarden.Crypto;

namespace Vault.Testing.Bitwarden;

/// <summary>
/// A Bitwarden account made the way a client registers one: master key from the KDF, a random 64-byte user key
/// protected by the stretched master key, an RSA key pair, organization keys shared to the user's public key, and
/// ciphers encrypted under the user, organization or per-cipher keys.
/// </summary>
public sealed class FakeBitwardenAccount
{
    public FakeBitwardenAccount(string email, string masterPassword, KdfSettings kdf)
    {
        Email = email;
        MasterPassword = masterPassword;
        Kdf = kdf;
        ClientId = "user." + Guid.NewGuid();
        ClientSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(22)).TrimEnd('=');
        UserKey = SymmetricKey.Generate();
        ProtectedUserKey = EncString.Encrypt(UserKey.ToBytes(), SymmetricKey.Stretch(MasterKey.Derive(masterPassword, email, kdf)));
        Rsa = RSA.Create(2048);
        ProtectedPrivateKey = EncString.Encrypt(Rsa.ExportPkcs8PrivateKey(), UserKey);
    }

    /// <summary>
    /// The published v2 test account of bitwarden/sdk-internal (test_bitwarden_com_account_v2): its XAES-256-GCM user key,
    /// type-7 private and signing keys, signed public key and security state, as a v2 server serves them. The vectors
    /// publish no master-password unlock, so the user key (a padded COSE key) is wrapped as a type-2 EncString under
    /// the stretched master key of <paramref name="masterPassword"/> with the account's published KDF, as the clients do.
    /// </summary>
    public static FakeBitwardenAccount PublishedV2(string masterPassword, KdfSettings? kdf = null)
    {
        kdf ??= new KdfSettings(KdfType.Argon2id, BitwardenV2Vectors.V2KdfIterations, BitwardenV2Vectors.V2KdfMemoryMiB, BitwardenV2Vectors.V2KdfParallelism);
        var userKey = SymmetricKey.FromBytes(Convert.FromBase64String(BitwardenV2Vectors.V2DecryptedUserKey));
        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(EncString.DecryptPrivateKey(BitwardenV2Vectors.V2PrivateKey, userKey), out _);
        return new FakeBitwardenAccount(BitwardenV2Vectors.V2Email, masterPassword, kdf, userKey, rsa, BitwardenV2Vectors.V2PrivateKey);
    }

    private FakeBitwardenAccount(string email, string masterPassword, KdfSettings kdf, SymmetricKey userKey, RSA rsa, string protectedPrivateKey)
    {
        Email = email;
        MasterPassword = masterPassword;
        Kdf = kdf;
        ClientId = "user." + Guid.NewGuid();
        ClientSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(22)).TrimEnd('=');
        UserKey = userKey;
        ProtectedUserKey = EncString.Encrypt(userKey.ToBytes(), SymmetricKey.Stretch(MasterKey.Derive(masterPassword, email, kdf)));
        Rsa = rsa;
        ProtectedPrivateKey = protectedPrivateKey;
        SecurityVersion = 2;
    }

    /// <summary>Encryption v2: a COSE user key, key pairs and security state under <c>accountKeys</c>.</summary>
    public bool IsV2 => UserKey.IsCose;

    /// <summary>The security version the server states in clear (v2 accounts; the signed state says 2).</summary>
    public int SecurityVersion { get; set; }

    /// <summary>The signed security state served (v2 accounts): the published one unless a test swaps it.</summary>
    public string SignedSecurityState { get; set; } = BitwardenV2Vectors.V2SecurityState;

    public string Id { get; } = Guid.NewGuid().ToString();
    public string Email { get; }
    public string MasterPassword { get; private set; }
    public KdfSettings Kdf { get; set; }
    public string ClientId { get; }
    public string ClientSecret { get; set; }
    public SymmetricKey UserKey { get; }
    public string ProtectedUserKey { get; set; }
    public RSA Rsa { get; }
    public string ProtectedPrivateKey { get; }
    public Dictionary<string, (string Name, SymmetricKey Key)> Organizations { get; } = [];
    public List<JsonObject> Ciphers { get; } = [];

    private string? _revisionFingerprint;
    private long _revision;

    /// <summary>
    /// The account's revision date (ms since the epoch), as the server keeps <c>AccountRevisionDate</c>: it moves
    /// whenever what a sync would return changes (here: found by comparing the content with the last time asked).
    /// </summary>
    public long RevisionDate()
    {
        string content;
        lock (Ciphers)
        {
            // The profile is encrypted afresh on every answer (RSA-wrapped organization keys): what it says is compared.
            content = string.Join('\n', Ciphers.Select(c => c.ToJsonString())) + ProtectedUserKey + Email + Kdf +
                string.Join(',', Organizations.Keys.Order(StringComparer.Ordinal));
        }

        var fingerprint = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(content)));
        lock (this)
        {
            if (fingerprint != _revisionFingerprint)
            {
                _revisionFingerprint = fingerprint;
                _revision = Math.Max(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), _revision + 1);
            }

            return _revision;
        }
    }

    /// <summary>What the web vault does on a master-password change: the same user key, wrapped under the new master key.</summary>
    public void ChangeMasterPassword(string newPassword)
    {
        MasterPassword = newPassword;
        ProtectedUserKey = EncString.Encrypt(UserKey.ToBytes(), SymmetricKey.Stretch(MasterKey.Derive(newPassword, Email, Kdf)));
    }

    public string AddOrganization(string name)
    {
        var id = Guid.NewGuid().ToString();
        Organizations[id] = (name, SymmetricKey.Generate());
        return id;
    }

    public string AddLogin(string name, string? username, string? password, string? totp, (string Uri, int? Match)[] uris,
        string? organizationId = null, bool perCipherKey = false, bool deleted = false, int type = 1, bool badChecksumOnLastUri = false)
    {
        var id = Guid.NewGuid().ToString();
        var containerKey = organizationId is null ? UserKey : Organizations[organizationId].Key;
        var key = containerKey;
        string? protectedCipherKey = null;
        if (perCipherKey)
        {
            key = containerKey.IsCose ? SymmetricKey.GenerateCose(SymmetricKeyKind.XAes256Gcm) : SymmetricKey.Generate();
            protectedCipherKey = EncString.WrapKey(key, containerKey);
        }

        string? Enc(string? value) => value is null ? null : EncString.Encrypt(value, key);

        // Clients store each URI's checksum (base64 SHA-256 of the URI) next to it; v2 clients drop URIs that do not match.
        string Checksum(string uri, bool wrong) => Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(wrong ? uri + "/evil" : uri)));
        var uriArray = new JsonArray(uris.Select((u, i) => (JsonNode)new JsonObject
        {
            ["uri"] = Enc(u.Uri), ["match"] = u.Match, ["uriChecksum"] = Enc(Checksum(u.Uri, badChecksumOnLastUri && i == uris.Length - 1)),
        }).ToArray());
        Ciphers.Add(new JsonObject
        {
            ["id"] = id,
            ["organizationId"] = organizationId,
            ["folderId"] = null,
            ["type"] = type,
            ["name"] = Enc(name),
            ["notes"] = null,
            ["key"] = protectedCipherKey,
            ["login"] = type == 1 ? new JsonObject
            {
                ["username"] = Enc(username), ["password"] = Enc(password), ["totp"] = Enc(totp), ["uris"] = uriArray,
            } : null,
            ["revisionDate"] = "2026-11-01T10:00:00.000Z",
            ["deletedDate"] = deleted ? "2026-11-02T10:00:00.000Z" : null,
            ["object"] = "cipherDetails",
        });
        return id;
    }

    /// <summary>
    /// A login as a v2 client stores a personal item (security version ≥ 2): a per-item XAES-256-GCM key wrapped by the
    /// user key, an A256GCM content-encryption key wrapped by it, and the whole item as CBOR in a data envelope in the
    /// cipher's <c>data</c>; the old fields stay empty but for an encrypted empty name.
    /// </summary>
    public string AddBlobLogin(string name, string? username, string? password, string? totp, (string Uri, int? Match)[] uris, bool deleted = false)
    {
        var cek = SymmetricKey.GenerateCose(SymmetricKeyKind.Aes256Gcm);
        var item = new Dictionary<string, object?>
        {
            ["version"] = "1",
            ["content"] = new Dictionary<string, object?>
            {
                ["name"] = name,
                ["notes"] = null,
                ["typeData"] = new Dictionary<string, object?>
                {
                    ["type"] = "login",
                    ["username"] = username,
                    ["password"] = password,
                    ["passwordRevisionDate"] = null,
                    ["uris"] = uris.Select(u => (object?)new Dictionary<string, object?> { ["uri"] = u.Uri, ["match"] = u.Match }).ToList(),
                    ["totp"] = totp,
                    ["autofillOnPageLoad"] = null,
                },
            },
        };
        return AddSealedCipher(cek, DataEnvelope.Seal(CborTree.Write(item), cek, DataEnvelope.VaultItemNamespace), type: 1, deleted);
    }

    /// <summary>A cipher holding a published envelope (sdk-internal blob vectors) with its published CEK.</summary>
    public string AddPublishedBlob(string cek, string envelope, int type) =>
        AddSealedCipher(SymmetricKey.FromBytes(Convert.FromBase64String(cek)), envelope, type, deleted: false);

    private string AddSealedCipher(SymmetricKey cek, string envelope, int type, bool deleted)
    {
        if (!IsV2)
        {
            throw new InvalidOperationException("Blob items belong to v2 accounts.");
        }

        var id = Guid.NewGuid().ToString();
        var cipherKey = SymmetricKey.GenerateCose(SymmetricKeyKind.XAes256Gcm);
        var data = new JsonObject
        {
            ["format_version"] = 1,
            ["wrapped_cek"] = EncString.WrapKey(cek, cipherKey),
            ["envelope"] = envelope,
        };
        Ciphers.Add(new JsonObject
        {
            ["id"] = id,
            ["organizationId"] = null,
            ["folderId"] = null,
            ["type"] = type,
            ["data"] = data.ToJsonString(),
            ["name"] = EncString.Encrypt(string.Empty, cipherKey),
            ["notes"] = null,
            ["key"] = EncString.WrapKey(cipherKey, UserKey),
            ["login"] = null,
            ["revisionDate"] = "2026-11-01T10:00:00.000Z",
            ["deletedDate"] = deleted ? "2026-11-02T10:00:00.000Z" : null,
            ["object"] = "cipherDetails",
        });
        return id;
    }

    /// <summary>The account's key pairs as current servers describe them (the "account cryptographic state").</summary>
    public JsonObject AccountKeysJson() => new()
    {
        ["publicKeyEncryptionKeyPair"] = new JsonObject
        {
            ["wrappedPrivateKey"] = ProtectedPrivateKey,
            ["publicKey"] = Convert.ToBase64String(Rsa.ExportSubjectPublicKeyInfo()),
            ["signedPublicKey"] = IsV2 ? BitwardenV2Vectors.V2SignedPublicKey : null,
            ["object"] = "publicKeyEncryptionKeyPair",
        },
        ["signatureKeyPair"] = IsV2 ? new JsonObject
        {
            ["wrappedSigningKey"] = BitwardenV2Vectors.V2SigningKey,
            ["verifyingKey"] = VerifyingKey(),
            ["object"] = "signatureKeyPair",
        } : null,
        ["securityState"] = IsV2 ? new JsonObject
        {
            ["securityState"] = SignedSecurityState,
            ["securityVersion"] = SecurityVersion,
            ["object"] = "securityState",
        } : null,
        ["object"] = "privateKeys",
    };

    /// <summary>The published signing key's public half as a COSE_Key (OKP, Ed25519), as the server stores it.</summary>
    private string VerifyingKey()
    {
        var (plaintext, _) = EncString.OpenCose(BitwardenV2Vectors.V2SigningKey, UserKey);
        var signing = (Dictionary<string, object?>)CborTree.Read(new System.Formats.Cbor.CborReader(plaintext, System.Formats.Cbor.CborConformanceMode.Lax), 0)!;
        using var key = NSec.Cryptography.Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, (byte[])signing["-4"]!, NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
        return Convert.ToBase64String(CoseOkp(signing.GetValueOrDefault("2") as byte[] ?? [], key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey)));
    }

    private static byte[] CoseOkp(byte[] keyId, byte[] x)
    {
        var writer = new System.Formats.Cbor.CborWriter(System.Formats.Cbor.CborConformanceMode.Lax);
        writer.WriteStartMap(5);
        writer.WriteInt64(1);
        writer.WriteInt64(1); // kty OKP
        writer.WriteInt64(2);
        writer.WriteByteString(keyId);
        writer.WriteInt64(3);
        writer.WriteInt64(Cose.EdDsa);
        writer.WriteInt64(-1);
        writer.WriteInt64(6); // crv Ed25519
        writer.WriteInt64(-2);
        writer.WriteByteString(x);
        writer.WriteEndMap();
        return writer.Encode();
    }

    public JsonObject ProfileJson() => new()
    {
        ["accountKeys"] = AccountKeysJson(),
        ["id"] = Id,
        ["email"] = Email,
        ["key"] = ProtectedUserKey,
        ["privateKey"] = ProtectedPrivateKey,
        ["organizations"] = new JsonArray(Organizations.Select(o => (JsonNode)new JsonObject
        {
            ["id"] = o.Key,
            ["name"] = o.Value.Name,
            ["key"] = EncString.Encrypt(o.Value.Key.ToBytes(), Rsa),
            ["status"] = 2,
            ["type"] = 2,
            ["enabled"] = true,
        }).ToArray()),
        ["object"] = "profile",
    };
}

/// <summary>
/// A fake Bitwarden server on 127.0.0.1 speaking the real wire format: the identity service's form-encoded
/// client-credentials token endpoint (PascalCase answer with the KDF settings and protected keys, OAuth errors) and
/// <c>GET /api/sync</c> (camelCase). Failures can be injected per endpoint.
/// </summary>
public sealed class FakeBitwardenServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeBitwardenAccount> _tokens = new();

    private FakeBitwardenServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = string.Empty;
    public ConcurrentDictionary<string, FakeBitwardenAccount> Accounts { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int TokenRequests;
    public int SyncRequests;
    public int RevisionDateRequests;
    public ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Form)> Requests { get; } = new();

    /// <summary>The next answers of an endpoint ("token", "sync" or "revision-date"): a status with optional Retry-After, a delay, or a body.</summary>
    public ConcurrentQueue<(string Endpoint, int Status, TimeSpan? RetryAfter, TimeSpan? Delay, string? Body)> Faults { get; } = new();

    /// <summary>
    /// A hostile server: when set, an authenticated <c>/api/sync</c> is answered by this instead (a bomb, an endless or
    /// dripping body, a deep or huge document), given the account whose token was sent.
    /// </summary>
    public Func<HttpContext, FakeBitwardenAccount, Task>? SyncAnswer { get; set; }

    /// <summary>Only the nested KDF settings (UserDecryptionOptions.MasterPasswordUnlock), none at the top level.</summary>
    public bool NestedKdf { get; set; }

    /// <summary>The private CA of an HTTPS fake (PEM), to trust for this server only.</summary>
    public string? CaPem { get; private set; }

    public static async Task<FakeBitwardenServer> StartAsync(bool https = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        string? caPem = null;
        if (https)
        {
            var (ca, leaf) = TestCertificates.CaAndServer();
            caPem = ca.ExportCertificatePem();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.UseHttps(leaf)));
        }
        else
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }

        var app = builder.Build();
        var server = new FakeBitwardenServer(app) { CaPem = caPem };
        app.MapPost("/identity/connect/token", server.TokenAsync);
        app.MapGet("/api/sync", server.SyncAsync);
        app.MapGet("/api/config", server.ConfigAsync);
        app.MapGet("/api/accounts/revision-date", server.RevisionDateAsync);
        app.MapMethods("/api/accounts/key-management/user-key-id", ["POST", "PUT"], context => { server.Record(context, []); context.Response.StatusCode = 200; return Task.CompletedTask; });
        app.MapPost("/api/ciphers", server.CreateCipherAsync);
        app.MapFallback(context =>
        {
            server.Record(context, new Dictionary<string, string>());
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        server.BaseUrl = app.Urls.First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal);
        return server;
    }

    public FakeBitwardenAccount AddAccount(string email, string password, KdfSettings kdf)
    {
        var account = new FakeBitwardenAccount(email, password, kdf);
        Accounts[account.ClientId] = account;
        return account;
    }

    /// <summary>The published v2 test account (see <see cref="FakeBitwardenAccount.PublishedV2"/>).</summary>
    public FakeBitwardenAccount AddPublishedV2Account(string masterPassword, KdfSettings? kdf = null)
    {
        var account = FakeBitwardenAccount.PublishedV2(masterPassword, kdf);
        Accounts[account.ClientId] = account;
        return account;
    }

    public void RevokeTokens() => _tokens.Clear();

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref TokenRequests);
        var form = (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString());
        Record(context, form);
        if (await FaultAsync(context, "token"))
        {
            return;
        }

        if (form.GetValueOrDefault("grant_type") != "client_credentials" || form.GetValueOrDefault("scope") != "api" ||
            string.IsNullOrEmpty(form.GetValueOrDefault("deviceIdentifier")) || string.IsNullOrEmpty(form.GetValueOrDefault("deviceType")))
        {
            await Json(context, 400, new JsonObject { ["error"] = "invalid_request" });
            return;
        }

        if (!Accounts.TryGetValue(form.GetValueOrDefault("client_id") ?? string.Empty, out var account) ||
            !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(account.ClientSecret), System.Text.Encoding.UTF8.GetBytes(form.GetValueOrDefault("client_secret") ?? string.Empty)))
        {
            await Json(context, 400, new JsonObject { ["error"] = "invalid_client", ["error_description"] = "invalid_client" });
            return;
        }

        var token = Jwt(account);
        _tokens[token] = account;
        var body = new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = 3600,
            ["token_type"] = "Bearer",
            ["scope"] = "api",
            ["Key"] = account.ProtectedUserKey,
            ["PrivateKey"] = account.ProtectedPrivateKey,
            ["Kdf"] = (int)account.Kdf.Type,
            ["KdfIterations"] = account.Kdf.Iterations,
            ["KdfMemory"] = account.Kdf.MemoryMiB,
            ["KdfParallelism"] = account.Kdf.Parallelism,
            ["ResetMasterPassword"] = false,
            ["ForcePasswordReset"] = false,
            ["UserDecryptionOptions"] = new JsonObject { ["HasMasterPassword"] = true, ["Object"] = "userDecryptionOptions" },
            ["AccountKeys"] = account.AccountKeysJson(),
        };
        // Current servers describe the master-password unlock in UserDecryptionOptions (the CLI requires it).
        body["UserDecryptionOptions"]!["MasterPasswordUnlock"] = new JsonObject
        {
            ["Kdf"] = new JsonObject { ["KdfType"] = (int)account.Kdf.Type, ["Iterations"] = account.Kdf.Iterations, ["Memory"] = account.Kdf.MemoryMiB, ["Parallelism"] = account.Kdf.Parallelism },
            ["MasterKeyEncryptedUserKey"] = account.ProtectedUserKey,
            ["Salt"] = account.Email.Trim().ToLowerInvariant(),
        };
        if (NestedKdf)
        {
            body.Remove("Kdf");
            body.Remove("KdfIterations");
            body.Remove("KdfMemory");
            body.Remove("KdfParallelism");
        }

        await Json(context, 200, body);
    }

    private Task ConfigAsync(HttpContext context) => Json(context, 200, new JsonObject
    {
        ["version"] = "2026.9.0",
        ["gitHash"] = "fake",
        ["server"] = null,
        ["environment"] = new JsonObject
        {
            ["cloudRegion"] = null, ["vault"] = BaseUrl, ["api"] = BaseUrl + "/api", ["identity"] = BaseUrl + "/identity",
            ["notifications"] = null, ["sso"] = string.Empty,
        },
        ["featureStates"] = new JsonObject { ["cipher-key-encryption"] = true }, // clients then give each new item its own key
        ["push"] = new JsonObject { ["pushTechnology"] = 0 },
        ["settings"] = new JsonObject { ["disableUserRegistration"] = true },
        ["object"] = "config",
    });

    /// <summary>A client creating an item: the body is the cipher as the client encrypted it; it is kept as is.</summary>
    private async Task CreateCipherAsync(HttpContext context)
    {
        Record(context, []);
        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(auth[7..], out var account))
        {
            context.Response.StatusCode = 401;
            return;
        }

        var cipher = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        cipher["id"] = Guid.NewGuid().ToString();
        cipher["revisionDate"] = DateTimeOffset.UtcNow.ToString("O");
        cipher["creationDate"] = cipher["revisionDate"]!.GetValue<string>();
        cipher["deletedDate"] = null;
        cipher["edit"] = true;
        cipher["viewPassword"] = true;
        cipher["organizationUseTotp"] = true;
        cipher["object"] = "cipherDetails";
        cipher["attachments"] = new JsonArray(); // requests carry a map of attachment data; answers a list
        cipher["collectionIds"] = new JsonArray();
        lock (account.Ciphers)
        {
            account.Ciphers.Add(cipher);
        }

        await Json(context, 200, cipher);
    }

    /// <summary>Access tokens are JWTs, as the real identity service issues them (the CLI reads its claims).</summary>
    private static string Jwt(FakeBitwardenAccount account)
    {
        static string B64(string json) => System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(json));
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["nbf"] = now, ["exp"] = now + 3600, ["iss"] = "http://localhost", ["client_id"] = account.ClientId, ["sub"] = account.Id,
            ["auth_time"] = now, ["idp"] = "bitwarden", ["premium"] = false, ["email"] = account.Email, ["email_verified"] = true,
            ["name"] = "Test User", ["sstamp"] = Guid.NewGuid().ToString(), ["device"] = Guid.NewGuid().ToString(),
            ["scope"] = new JsonArray("api"), ["amr"] = new JsonArray("Application"), ["jti"] = Guid.NewGuid().ToString("N"),
        };
        return B64("{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}") + "." + B64(claims.ToJsonString()) + "." +
            System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(64));
    }

    private async Task SyncAsync(HttpContext context)
    {
        Interlocked.Increment(ref SyncRequests);
        if (await AuthenticatedAsync(context, "sync") is not { } account)
        {
            return;
        }

        if (SyncAnswer is { } hostile)
        {
            await hostile(context, account);
            return;
        }

        await Json(context, 200, new JsonObject
        {
            ["profile"] = account.ProfileJson(),
            ["folders"] = new JsonArray(),
            ["collections"] = new JsonArray(),
            ["ciphers"] = new JsonArray(account.Ciphers.Select(c => (JsonNode)c.DeepClone()).ToArray()),
            ["domains"] = null,
            ["object"] = "sync",
        });
    }

    private async Task RevisionDateAsync(HttpContext context)
    {
        Interlocked.Increment(ref RevisionDateRequests);
        if (await AuthenticatedAsync(context, "revision-date") is not { } account)
        {
            return;
        }

        await Json(context, 200, JsonValue.Create(account.RevisionDate())!);
    }

    /// <summary>An API request recorded, answered by an injected fault, or refused 401 without a live token; else its account.</summary>
    private async Task<FakeBitwardenAccount?> AuthenticatedAsync(HttpContext context, string endpoint)
    {
        Record(context, new Dictionary<string, string>());
        if (await FaultAsync(context, endpoint))
        {
            return null;
        }

        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(auth[7..], out var account))
        {
            context.Response.StatusCode = 401;
            return null;
        }

        return account;
    }

    private void Record(HttpContext context, Dictionary<string, string> form) =>
        Requests.Enqueue((context.Request.Path.Value ?? string.Empty,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), form));

    private async Task<bool> FaultAsync(HttpContext context, string endpoint)
    {
        if (!Faults.TryPeek(out var fault) || fault.Endpoint != endpoint || !Faults.TryDequeue(out fault))
        {
            return false;
        }

        if (fault.Delay is { } delay)
        {
            await Task.Delay(delay, context.RequestAborted);
        }

        if (fault.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)wait.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        context.Response.StatusCode = fault.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(fault.Body ?? "{\"message\":\"fault\"}");
        return true;
    }

    private static async Task Json(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A private CA and a server certificate for 127.0.0.1 signed by it, made in-process for HTTPS fakes.</summary>
public static class TestCertificates
{
    public static (System.Security.Cryptography.X509Certificates.X509Certificate2 Ca, System.Security.Cryptography.X509Certificates.X509Certificate2 Server) CaAndServer()
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Vault Test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509KeyUsageExtension(
            System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.KeyCertSign | System.Security.Cryptography.X509Certificates.X509KeyUsageFlags.CrlSign, true));
        var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        using var serverKey = RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(29), RandomNumberGenerator.GetBytes(8));
        var server = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(
            System.Security.Cryptography.X509Certificates.RSACertificateExtensions.CopyWithPrivateKey(signed, serverKey).Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx), null);
        return (ca, server);
    }
}
