using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Vault.Testing.OnePassword;

/// <summary>
/// A fake 1Password server over real HTTPS on 127.0.0.1 (docs/onepassword-protocol.md): sign-in (SRP-6a, session key, MAC-checked
/// requests, encrypted bodies), keysets, vaults, item overviews and details. It records every request and can be told
/// to fail (status codes, delays, corrupted envelopes). Judged by the official SDK (Vault.Tests sdk-judge.mjs).
/// </summary>
public sealed class FakeOnePasswordServer : IAsyncDisposable
{
    private static readonly byte[] MacPhrase = "He never wears a Mac, in the pouring rain. Very strange."u8.ToArray();
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly HashSet<string> _registeredDevices = new(StringComparer.Ordinal);
    private readonly List<FakeFault> _faults = [];
    private long _requestCounter = 1000;

    private FakeOnePasswordServer(WebApplication app, TestCertificateAuthority ca)
    {
        _app = app;
        Ca = ca;
    }

    public TestCertificateAuthority Ca { get; }

    /// <summary>host:port of the server, as a token's signInAddress.</summary>
    public string Address { get; private set; } = "";

    public List<FakeOnePasswordAccount> Accounts { get; } = [];

    /// <summary>auth/start's device status: <c>ok</c>, or <c>device-not-registered</c> until the device registers.</summary>
    public string DeviceStatus { get; set; } = "ok";

    /// <summary>Leave <c>combinedAccess</c> out of the vault list (the SDK then asks each vault).</summary>
    public bool ListWithoutAccess { get; set; }

    /// <summary>
    /// When set, item overviews come in batches of this many items with <c>batchComplete: false</c> until the last, the
    /// next batch asked for with <c>?after=&lt;last item id&gt;</c> (the SDK never asks for one; docs/onepassword-protocol.md §5.2).
    /// </summary>
    public int? OverviewBatchSize { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public void ClearRequests() => _requests.Clear();

    /// <summary>Ends every session (as a server-side expiry would): their next request answers 401.</summary>
    public void ExpireSessions() => _sessions.Clear();

    /// <summary>Forgets registered devices (so the next sign-in with <c>device-not-registered</c> registers again).</summary>
    public void ForgetDevices()
    {
        lock (_registeredDevices)
        {
            _registeredDevices.Clear();
        }
    }

    public static async Task<FakeOnePasswordServer> StartAsync(TestCertificateAuthority? ca = null)
    {
        ca ??= new TestCertificateAuthority();
        var certificate = ca.IssueServerCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var server = new FakeOnePasswordServer(app, ca);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address).Authority;
        return server;
    }

    public FakeOnePasswordAccount CreateAccount()
    {
        var account = new FakeOnePasswordAccount(this);
        lock (Accounts)
        {
            Accounts.Add(account);
        }

        return account;
    }

    /// <summary>Adds a failure rule; the first matching rule applies.</summary>
    public FakeFault Fail(FakeFault fault)
    {
        lock (_faults)
        {
            _faults.Add(fault);
        }

        return fault;
    }

    public void ClearFaults()
    {
        lock (_faults)
        {
            _faults.Clear();
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var body = buffer.ToArray();
        var path = request.Path.Value ?? "/";
        var pathAndQuery = path + request.QueryString.Value;
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var recorded = new RecordedRequest(request.Method, pathAndQuery, headers, body.Length) { Body = Encoding.UTF8.GetString(body) };
        _requests.Enqueue(recorded);

        FakeFault? fault;
        lock (_faults)
        {
            fault = _faults.FirstOrDefault(f => f.Matches(request.Method, pathAndQuery) && f.Remaining != 0);
            if (fault is not null && fault.Skip > 0)
            {
                fault.Skip--;
                fault = null;
            }
            else if (fault is not null && fault.Remaining > 0)
            {
                fault.Remaining--;
            }
        }

        if (fault?.Delay is { } delay)
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        if (fault?.Status is { } status)
        {
            if (fault.RetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await ErrorAsync(context, status).ConfigureAwait(false);
            return;
        }

        try
        {
            await RouteAsync(context, path, body, fault?.Corruption ?? Corruption.None, recorded).ConfigureAwait(false);
        }
        catch (FakeError error)
        {
            await ErrorAsync(context, error.Status).ConfigureAwait(false);
        }
    }

    private async Task RouteAsync(HttpContext context, string path, byte[] body, Corruption corruption, RecordedRequest recorded)
    {
        var method = context.Request.Method;
        switch (method, path)
        {
            case ("POST", "/api/v3/auth/start"):
                await WriteJsonAsync(context, AuthStart(Json(body)), corruption).ConfigureAwait(false);
                return;
            case ("POST", "/api/v1/device"):
                lock (_registeredDevices)
                {
                    _registeredDevices.Add((string?)Json(body)["uuid"] ?? "");
                }

                await WriteJsonAsync(context, new JsonObject { ["success"] = 1 }, corruption).ConfigureAwait(false);
                return;
            case ("PUT", _) when path.StartsWith("/api/v1/device/", StringComparison.Ordinal) && path.EndsWith("/reauthorize", StringComparison.Ordinal):
                lock (_registeredDevices)
                {
                    _registeredDevices.Add(path["/api/v1/device/".Length..^"/reauthorize".Length]);
                }

                await WriteJsonAsync(context, new JsonObject { ["success"] = 1 }, corruption).ConfigureAwait(false);
                return;
            case ("POST", "/api/v2/auth"):
                await WriteJsonAsync(context, Exchange(SessionOf(context), Json(body)), corruption).ConfigureAwait(false);
                return;
            case ("POST", "/api/v2/auth/confirm-key"):
                await WriteJsonAsync(context, ConfirmKey(SessionOf(context), Json(body), corruption), Corruption.None).ConfigureAwait(false);
                return;
        }

        // Everything else is a session request: MAC verified, body and answer encrypted under K.
        var session = SessionOf(context);
        if (session.Key is null || session.Account.Revoked || !MacVerifies(context, session))
        {
            throw new FakeError(401);
        }

        JsonNode? plaintext = null;
        if (body.Length > 0)
        {
            var opened = FakeCrypto.Open(session.Key, Json(body));
            plaintext = opened is null ? throw new FakeError(400) : JsonNode.Parse(opened);
            recorded.Plaintext = Encoding.UTF8.GetString(opened);
        }

        var account = session.Account;
        JsonNode answer = (method, path) switch
        {
            ("POST", "/api/v2/auth/complete") => Complete(session, plaintext),
            ("GET", "/api/v1/vaults") => new JsonArray([.. account.Vaults.Select(v => (JsonNode)account.VaultJson(v, !ListWithoutAccess))]),
            ("GET", "/api/v2/account/keysets") => account.KeysetsJson(),
            ("GET", _) when path.StartsWith("/api/v3/vault/", StringComparison.Ordinal) =>
                account.VaultJson(VaultOf(account, path["/api/v3/vault/".Length..]), true),
            ("GET", _) when path.StartsWith("/api/v1/vault/", StringComparison.Ordinal) && path.EndsWith("/items/overviews", StringComparison.Ordinal) =>
                Overviews(VaultOf(account, path["/api/v1/vault/".Length..^"/items/overviews".Length]), context.Request.Query["after"].ToString()),
            ("GET", _) when path.StartsWith("/api/v1/vault/", StringComparison.Ordinal) && path.Contains("/item/", StringComparison.Ordinal) =>
                Item(account, path["/api/v1/vault/".Length..]),
            _ => throw new FakeError(404),
        };

        await WriteEnvelopeAsync(context, session, answer, corruption).ConfigureAwait(false);
    }

    private JsonObject AuthStart(JsonNode request)
    {
        var email = (string?)request["email"];
        var skid = (string?)request["skid"];
        var device = (string?)request["deviceUuid"] ?? "";
        FakeOnePasswordAccount? account;
        lock (Accounts)
        {
            account = Accounts.FirstOrDefault(a => a.Email == email && a.SecretKeyId == skid);
        }

        if (account is null || account.Revoked || (string?)request["skFormat"] != "A3")
        {
            throw new FakeError(401);
        }

        var session = new Session(FakeCrypto.NewId(true), account);
        _sessions[session.Id] = session;
        string status;
        lock (_registeredDevices)
        {
            status = DeviceStatus is "device-not-registered" or "device-deleted" && _registeredDevices.Contains(device) ? "ok" : DeviceStatus;
        }

        return new JsonObject
        {
            ["status"] = status,
            ["sessionID"] = session.Id,
            ["accountKeyFormat"] = "A3",
            ["accountKeyUuid"] = account.SecretKeyId,
            ["userAuth"] = new JsonObject
            {
                ["method"] = "SRPg-4096", ["alg"] = "PBES2g-HS256", ["iterations"] = 650000, ["salt"] = FakeCrypto.B64u(account.Salt),
            },
        };
    }

    private static JsonObject Exchange(Session session, JsonNode request)
    {
        var hex = (string?)request["userA"] ?? throw new FakeError(400);
        var a = BigInteger.Parse("0" + hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        if (a.IsZero || (a % FakeCrypto.N).IsZero)
        {
            throw new FakeError(400);
        }

        var k = FakeCrypto.Int(SHA256.HashData([.. FakeCrypto.Bytes(FakeCrypto.N), .. FakeCrypto.Pad512(FakeCrypto.G)]));
        var b = FakeCrypto.Int(RandomNumberGenerator.GetBytes(32));
        var bigB = ((k * session.Account.Verifier) + BigInteger.ModPow(FakeCrypto.G, b, FakeCrypto.N)) % FakeCrypto.N;
        session.A = a;
        session.B = bigB;
        session.SmallB = b;
        // Even number of hex digits: the SDK fails on an odd count (§3.2).
        return new JsonObject { ["sessionID"] = session.Id, ["userB"] = Convert.ToHexStringLower(FakeCrypto.Pad512(bigB)) };
    }

    private static JsonObject ConfirmKey(Session session, JsonNode request, Corruption corruption)
    {
        if (session.B is null)
        {
            throw new FakeError(401);
        }

        var account = session.Account;
        var a = session.A;
        var u = FakeCrypto.Int(SHA256.HashData([.. FakeCrypto.Pad512(a), .. FakeCrypto.Pad512(session.B.Value)]));
        var s = BigInteger.ModPow(a * BigInteger.ModPow(account.Verifier, u, FakeCrypto.N), session.SmallB, FakeCrypto.N);
        var key = SHA256.HashData(Encoding.ASCII.GetBytes(FakeCrypto.HexNoLeadingZeros(s)));
        var identity = FakeCrypto.B64u(SHA256.HashData([.. SHA256.HashData(Encoding.UTF8.GetBytes(account.SecretKeyId)),
            .. SHA256.HashData(Encoding.UTF8.GetBytes(account.Email))]));
        var hn = SHA256.HashData(FakeCrypto.Bytes(FakeCrypto.N));
        var hg = SHA256.HashData(FakeCrypto.Bytes(FakeCrypto.G));
        var xor = hn.Zip(hg, (x, y) => (byte)(x ^ y)).ToArray();
        var m = SHA256.HashData([.. xor, .. SHA256.HashData(Encoding.UTF8.GetBytes(identity)), .. account.Salt,
            .. FakeCrypto.Bytes(a), .. FakeCrypto.Bytes(session.B.Value), .. key]);
        byte[] clientM;
        try
        {
            clientM = FakeCrypto.FromB64u((string?)request["clientVerifyHash"] ?? "");
        }
        catch (FormatException)
        {
            throw new FakeError(401);
        }

        if (!CryptographicOperations.FixedTimeEquals(clientM, m))
        {
            throw new FakeError(401);
        }

        session.Key = key;
        var serverProof = SHA256.HashData([.. FakeCrypto.Bytes(a), .. m, .. key]);
        if (corruption == Corruption.ServerProof)
        {
            serverProof[0] ^= 1;
        }

        return new JsonObject { ["serverVerifyHash"] = FakeCrypto.B64u(serverProof) };
    }

    private static JsonObject Complete(Session session, JsonNode? request)
    {
        if ((string?)request?["client"] is null)
        {
            throw new FakeError(400);
        }

        session.Complete = true;
        return new JsonObject { ["userUuid"] = session.Account.UserUuid };
    }

    private JsonObject Overviews(FakeVault vault, string after)
    {
        var items = vault.Items.ToList();
        var start = after.Length == 0 ? 0 : items.FindIndex(i => i.Uuid == after) + 1;
        if (after.Length > 0 && start == 0)
        {
            throw new FakeError(400);
        }

        var size = OverviewBatchSize ?? int.MaxValue;
        var batch = items.Skip(start).Take(size).ToList();
        return new JsonObject
        {
            ["contentVersion"] = vault.ContentVersion,
            ["items"] = new JsonArray([.. batch.Select(i => (JsonNode)i.Json(vault, false))]),
            ["batchComplete"] = start + batch.Count >= items.Count,
        };
    }

    private static JsonObject Item(FakeOnePasswordAccount account, string rest)
    {
        var parts = rest.Split('/');
        if (parts.Length != 3 || parts[1] != "item")
        {
            throw new FakeError(404);
        }

        var vault = VaultOf(account, parts[0]);
        var item = vault.Items.FirstOrDefault(i => i.Uuid == parts[2]) ?? throw new FakeError(404);
        return new JsonObject { ["contentVersion"] = vault.ContentVersion, ["item"] = item.Json(vault, true) };
    }

    private static FakeVault VaultOf(FakeOnePasswordAccount account, string id) =>
        account.Vaults.FirstOrDefault(v => v.Uuid == id) ?? throw new FakeError(404);

    private Session SessionOf(HttpContext context)
    {
        var id = context.Request.Headers["X-AgileBits-Session-ID"].ToString();
        return _sessions.TryGetValue(id, out var session) ? session : throw new FakeError(401);
    }

    private static bool MacVerifies(HttpContext context, Session session)
    {
        var header = context.Request.Headers["X-AgileBits-MAC"].ToString().Split('|');
        if (header.Length != 3 || header[0] != "v1")
        {
            return false;
        }

        var request = context.Request;
        var query = request.QueryString.HasValue ? request.QueryString.Value![1..] : "";
        var message = $"{session.Id}|{request.Method}|{request.Host.Host}{request.Path.Value}?{query}|v1|{header[1]}";
        var macKey = HMACSHA256.HashData(session.Key!, MacPhrase);
        var expected = FakeCrypto.B64u(HMACSHA256.HashData(macKey, Encoding.UTF8.GetBytes(message)).AsSpan(0, 12));
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(header[2]));
    }

    private static JsonNode Json(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) ?? throw new FakeError(400);
        }
        catch (System.Text.Json.JsonException)
        {
            throw new FakeError(400);
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonNode json, Corruption corruption)
    {
        context.Response.ContentType = "application/json";
        var text = json.ToJsonString();
        if (corruption == Corruption.Garbage)
        {
            text = text[..(text.Length / 2)];
        }

        await context.Response.WriteAsync(text).ConfigureAwait(false);
    }

    private static async Task WriteEnvelopeAsync(HttpContext context, Session session, JsonNode answer, Corruption corruption)
    {
        var envelope = FakeCrypto.Seal(corruption == Corruption.WrongKey ? RandomNumberGenerator.GetBytes(32) : session.Key!, session.Id, answer);
        var data = (string)envelope["data"]!;
        envelope["data"] = corruption switch
        {
            Corruption.Truncate => data[..(data.Length / 3)],
            Corruption.TagMismatch => data[..^2] + (data[^2] == 'A' ? 'B' : 'A') + data[^1],
            Corruption.ShortData => data[..8],
            _ => data,
        };
        await WriteJsonAsync(context, envelope, corruption == Corruption.Garbage ? Corruption.Garbage : Corruption.None).ConfigureAwait(false);
    }

    private async Task ErrorAsync(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        var (code, message) = status switch
        {
            401 => (102, "Authentication required."),
            404 => (117, "Not found."),
            429 => (429, "Too many requests."),
            _ => (status, "Error."),
        };
        await WriteJsonAsync(context, new JsonObject
        {
            ["errorCode"] = code, ["errorMessage"] = message, ["requestId"] = Interlocked.Increment(ref _requestCounter),
        }, Corruption.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Ca.Dispose();
    }

    private sealed class Session(string id, FakeOnePasswordAccount account)
    {
        public string Id { get; } = id;
        public FakeOnePasswordAccount Account { get; } = account;
        public BigInteger A { get; set; }
        public BigInteger? B { get; set; }
        public BigInteger SmallB { get; set; }
        public byte[]? Key { get; set; }
        public bool Complete { get; set; }
    }

    private sealed class FakeError(int status) : Exception
    {
        public int Status { get; } = status;
    }
}

/// <summary>One request as the fake received it (header names lower case).</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers, int BodyLength)
{
    /// <summary>The body as sent (an envelope for session requests).</summary>
    public string Body { get; init; } = "";

    /// <summary>The decrypted body of a session request, if it had one.</summary>
    public string? Plaintext { get; set; }
}

public enum Corruption
{
    None,
    Truncate,
    TagMismatch,
    ShortData,
    WrongKey,
    Garbage,
    ServerProof,
}

/// <summary>
/// A failure rule: requests whose method matches and whose path and query contain <see cref="PathContains"/> get
/// <see cref="Status"/> (with Retry-After), a <see cref="Delay"/>, or a corrupted answer. <see cref="Remaining"/>:
/// how many times (-1 = always).
/// </summary>
public sealed class FakeFault
{
    public string? Method { get; init; }
    public required string PathContains { get; init; }
    public int? Status { get; init; }
    public int? RetryAfterSeconds { get; init; }
    public TimeSpan? Delay { get; init; }
    public Corruption Corruption { get; init; }
    public int Remaining { get; set; } = -1;

    /// <summary>Matching requests to let through before the rule applies.</summary>
    public int Skip { get; set; }

    internal bool Matches(string method, string pathAndQuery) =>
        (Method is null || Method == method) && pathAndQuery.Contains(PathContains, StringComparison.Ordinal);
}
