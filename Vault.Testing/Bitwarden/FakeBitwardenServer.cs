using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
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

    public string Id { get; } = Guid.NewGuid().ToString();
    public string Email { get; }
    public string MasterPassword { get; }
    public KdfSettings Kdf { get; set; }
    public string ClientId { get; }
    public string ClientSecret { get; set; }
    public SymmetricKey UserKey { get; }
    public string ProtectedUserKey { get; set; }
    public RSA Rsa { get; }
    public string ProtectedPrivateKey { get; }
    public Dictionary<string, (string Name, SymmetricKey Key)> Organizations { get; } = [];
    public List<JsonObject> Ciphers { get; } = [];

    public string AddOrganization(string name)
    {
        var id = Guid.NewGuid().ToString();
        Organizations[id] = (name, SymmetricKey.Generate());
        return id;
    }

    public string AddLogin(string name, string? username, string? password, string? totp, (string Uri, int? Match)[] uris,
        string? organizationId = null, bool perCipherKey = false, bool deleted = false, int type = 1)
    {
        var id = Guid.NewGuid().ToString();
        var containerKey = organizationId is null ? UserKey : Organizations[organizationId].Key;
        var key = containerKey;
        string? protectedCipherKey = null;
        if (perCipherKey)
        {
            key = SymmetricKey.Generate();
            protectedCipherKey = EncString.Encrypt(key.ToBytes(), containerKey);
        }

        string? Enc(string? value) => value is null ? null : EncString.Encrypt(value, key);
        var uriArray = new JsonArray(uris.Select(u => (JsonNode)new JsonObject { ["uri"] = Enc(u.Uri), ["match"] = u.Match }).ToArray());
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

    public JsonObject ProfileJson() => new()
    {
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
    public ConcurrentQueue<(string Path, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Form)> Requests { get; } = new();

    /// <summary>The next answers of an endpoint ("token" or "sync"): a status with optional Retry-After, a delay, or a body.</summary>
    public ConcurrentQueue<(string Endpoint, int Status, TimeSpan? RetryAfter, TimeSpan? Delay, string? Body)> Faults { get; } = new();

    /// <summary>Newer servers also nest the KDF in UserDecryptionOptions.MasterPasswordUnlock.</summary>
    public bool NestedKdf { get; set; }

    public static async Task<FakeBitwardenServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new FakeBitwardenServer(app);
        app.MapPost("/identity/connect/token", server.TokenAsync);
        app.MapGet("/api/sync", server.SyncAsync);
        await app.StartAsync();
        server.BaseUrl = app.Urls.First();
        return server;
    }

    public FakeBitwardenAccount AddAccount(string email, string password, KdfSettings kdf)
    {
        var account = new FakeBitwardenAccount(email, password, kdf);
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

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
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
        };
        if (NestedKdf)
        {
            body.Remove("Kdf");
            body.Remove("KdfIterations");
            body.Remove("KdfMemory");
            body.Remove("KdfParallelism");
            body["UserDecryptionOptions"]!["MasterPasswordUnlock"] = new JsonObject
            {
                ["Kdf"] = new JsonObject { ["KdfType"] = (int)account.Kdf.Type, ["Iterations"] = account.Kdf.Iterations, ["Memory"] = account.Kdf.MemoryMiB, ["Parallelism"] = account.Kdf.Parallelism },
                ["MasterKeyEncryptedUserKey"] = account.ProtectedUserKey,
                ["Salt"] = account.Email,
            };
        }

        await Json(context, 200, body);
    }

    private async Task SyncAsync(HttpContext context)
    {
        Interlocked.Increment(ref SyncRequests);
        Record(context, new Dictionary<string, string>());
        if (await FaultAsync(context, "sync"))
        {
            return;
        }

        var auth = context.Request.Headers.Authorization.ToString();
        if (!auth.StartsWith("Bearer ", StringComparison.Ordinal) || !_tokens.TryGetValue(auth[7..], out var account))
        {
            context.Response.StatusCode = 401;
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
