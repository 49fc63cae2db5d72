using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vault.Testing.OnePassword;

namespace Vault.Testing.Keeper;

/// <summary>
/// A fake Keeper Secrets Manager server over real HTTPS on 127.0.0.1 (docs/keeper-protocol.md): <c>get_secret</c> and
/// <c>get_folders</c> with the protocol's crypto, server keys by id (and a rotation it can ask for), one-time-token
/// binding, applications with records and shared folders, throttling, revocation, and hostile answers. Every request is
/// checked as Keeper's SDK builds it (headers, transmission key, payload, signature under the device key) and the
/// problems are recorded (<see cref="Problems"/>). Judged by the official SDK (Vault.Tests/Keeper/sdk-judge.mjs).
/// </summary>
public sealed class FakeKeeperServer : IAsyncDisposable
{
    private static readonly HashSet<string> PayloadFields = ["clientVersion", "clientId", "publicKey", "requestedRecords", "requestedFolders", "requestLinks"];
    private readonly WebApplication _app;
    private readonly Dictionary<int, ECDiffieHellman> _serverKeys = [];
    private readonly ConcurrentDictionary<string, FakeKeeperClient> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<KeeperRecordedRequest> _requests = new();
    private readonly List<KeeperFault> _faults = [];

    private FakeKeeperServer(WebApplication app, TestCertificateAuthority ca, IEnumerable<int> keyIds)
    {
        _app = app;
        Ca = ca;
        foreach (var id in keyIds)
        {
            _serverKeys[id] = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        }

        ActiveKeyId = _serverKeys.Keys.Min();
    }

    public TestCertificateAuthority Ca { get; }

    /// <summary>host:port, as a token's host part.</summary>
    public string Address { get; private set; } = "";

    /// <summary>The server key requests must be sealed to; another id is answered with <c>{"error":"key","key_id":…}</c>.</summary>
    public int ActiveKeyId { get; set; }

    public List<FakeKeeperApplication> Applications { get; } = [];

    /// <summary>Leave shared folders' <c>data</c> (their names) out of <c>get_secret</c>; <c>get_folders</c> still has it.</summary>
    public bool SecretsWithoutFolderNames { get; set; }

    public IReadOnlyList<KeeperRecordedRequest> Requests => [.. _requests];

    /// <summary>Every problem found in any request so far ("#n path: problem").</summary>
    public IReadOnlyList<string> Problems => [.. _requests.Select((r, i) => (r, i)).SelectMany(p => p.r.Problems.Select(x => $"#{p.i} {p.r.Path}: {x}"))];

    public void ClearRequests() => _requests.Clear();

    /// <summary>The base64url public point of a server key id (what <c>Vault__Keeper__ServerPublicKey</c> takes).</summary>
    public string PublicKeyOf(int id) => FakeKeeperCrypto.B64Url(FakeKeeperCrypto.PublicPoint(_serverKeys[id]));

    public IReadOnlyCollection<int> KeyIds => _serverKeys.Keys;

    public static async Task<FakeKeeperServer> StartAsync(TestCertificateAuthority? ca = null, params int[] keyIds)
    {
        ca ??= new TestCertificateAuthority();
        var certificate = ca.IssueServerCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var server = new FakeKeeperServer(app, ca, keyIds.Length == 0 ? [10] : keyIds);
        app.Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address).Authority.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        return server;
    }

    public FakeKeeperApplication CreateApplication(string title)
    {
        var application = new FakeKeeperApplication { Title = title };
        Applications.Add(application);
        return application;
    }

    /// <summary>A one-time access token for <paramref name="application"/>, as the console shows it: <c>host:port:key</c> (or another prefix).</summary>
    public string MintToken(FakeKeeperApplication application, string? prefix = null)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var client = new FakeKeeperClient { Application = application, ClientKey = key, ClientId = FakeKeeperCrypto.ClientIdOf(key) };
        _clients[client.ClientId] = client;
        return (prefix ?? Address) + ":" + FakeKeeperCrypto.B64Url(key);
    }

    public FakeKeeperClient? ClientOf(string clientId) => _clients.TryGetValue(clientId, out var c) ? c : null;

    public IReadOnlyCollection<FakeKeeperClient> Clients => [.. _clients.Values];

    public KeeperFault Fail(KeeperFault fault)
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
        var headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var recorded = new KeeperRecordedRequest(request.Method, request.Path.Value ?? "/", headers, body.Length);
        _requests.Enqueue(recorded);
        var answer = Serve(recorded, body, out var binding);
        recorded.Status = answer.Status;

        var fault = TakeFault(binding);
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

        switch (fault?.Kind)
        {
            case KeeperFaultKind.Throttled:
                answer = Error(403, new JsonObject { ["error"] = "throttled", ["retry_after"] = fault.RetryAfterSeconds, ["message"] = "Too many requests" });
                break;
            case KeeperFaultKind.Status:
                answer = Error(fault.Status, new JsonObject { ["error"] = fault.Error ?? "server_error", ["message"] = "Fault injected by the test" });
                break;
            case KeeperFaultKind.Garbage:
                answer = (200, RandomNumberGenerator.GetBytes(600));
                break;
            case KeeperFaultKind.Huge:
                context.Response.StatusCode = 200;
                var chunk = new byte[64 * 1024];
                try
                {
                    for (long sent = 0; sent < fault.Bytes; sent += chunk.Length)
                    {
                        await context.Response.Body.WriteAsync(chunk, context.RequestAborted).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                }

                return;
            case KeeperFaultKind.Drip:
                context.Response.StatusCode = 200;
                try
                {
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    for (var i = 0; i < 600; i++)
                    {
                        await context.Response.Body.WriteAsync(new byte[] { 1 }, context.RequestAborted).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                        await Task.Delay(1000, context.RequestAborted).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                }

                return;
            case KeeperFaultKind.LoseAnswer:
                context.Abort();
                return;
        }

        recorded.Status = answer.Status;
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = answer.Status == 200 ? "application/octet-stream" : "application/json";
        await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private KeeperFault? TakeFault(bool binding)
    {
        lock (_faults)
        {
            var fault = _faults.FirstOrDefault(f => f.Remaining != 0 && (f.Binding is null || f.Binding == binding));
            if (fault is null)
            {
                return null;
            }

            if (fault.Skip > 0)
            {
                fault.Skip--;
                return null;
            }

            if (fault.Remaining > 0)
            {
                fault.Remaining--;
            }

            return fault;
        }
    }

    /// <summary>Checks and serves one request; the answer is encrypted under the request's transmission key.</summary>
    private (int Status, byte[] Body) Serve(KeeperRecordedRequest recorded, byte[] body, out bool binding)
    {
        binding = false;
        var problems = recorded.Problems;
        var endpoint = recorded.Path.StartsWith("/api/rest/sm/v1/", StringComparison.Ordinal) ? recorded.Path["/api/rest/sm/v1/".Length..] : null;
        if (recorded.Method != "POST" || endpoint is not ("get_secret" or "get_folders"))
        {
            problems.Add($"unexpected {recorded.Method} {recorded.Path}");
            return Error(404, new JsonObject { ["error"] = "not_found" });
        }

        if (!recorded.Headers.TryGetValue("content-type", out var type) || type != "application/octet-stream")
        {
            problems.Add("Content-Type is not application/octet-stream");
        }

        if (!recorded.Headers.TryGetValue("publickeyid", out var keyIdText) || !int.TryParse(keyIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var keyId))
        {
            problems.Add("PublicKeyId is missing or not a number");
            return Error(400, new JsonObject { ["error"] = "bad_request", ["message"] = "PublicKeyId" });
        }

        if (keyId != ActiveKeyId || !_serverKeys.TryGetValue(keyId, out var serverKey))
        {
            // Not a problem of the client: a device starts with the id it knows and the server names the current one.
            return Error(403, new JsonObject { ["error"] = "key", ["key_id"] = ActiveKeyId });
        }

        byte[] sealedKey, transmissionKey, signature;
        try
        {
            sealedKey = FakeKeeperCrypto.FromB64(recorded.Headers.GetValueOrDefault("transmissionkey") ?? "");
            if (sealedKey.Length != 65 + 12 + 32 + 16 || sealedKey[0] != 4)
            {
                problems.Add($"TransmissionKey is {sealedKey.Length} bytes, not an ephemeral point and a sealed 256-bit key");
            }

            transmissionKey = FakeKeeperCrypto.OpenSealed(sealedKey, serverKey);
            var authorization = recorded.Headers.GetValueOrDefault("authorization") ?? "";
            if (!authorization.StartsWith("Signature ", StringComparison.Ordinal))
            {
                problems.Add("Authorization is not 'Signature <base64>'");
            }

            signature = FakeKeeperCrypto.FromB64(authorization["Signature ".Length..]);
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException or ArgumentException)
        {
            problems.Add("the transmission key or signature does not decode or open: " + ex.GetType().Name);
            return Error(400, new JsonObject { ["error"] = "bad_request", ["message"] = "Unable to decrypt the transmission key" });
        }

        JsonObject payload;
        try
        {
            var plaintext = FakeKeeperCrypto.OpenGcm(body, transmissionKey);
            recorded.Payload = Encoding.UTF8.GetString(plaintext);
            payload = JsonNode.Parse(plaintext)!.AsObject();
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or InvalidOperationException or ArgumentException)
        {
            problems.Add("the payload does not decrypt under the transmission key or is not a JSON object");
            return Error(400, new JsonObject { ["error"] = "bad_request", ["message"] = "Unable to decrypt the payload" });
        }

        foreach (var (name, _) in payload)
        {
            if (!PayloadFields.Contains(name))
            {
                problems.Add($"the payload has a field the SDK never sends: {name}");
            }
        }

        if (payload["clientVersion"]?.GetValueKind() != JsonValueKind.String || !payload["clientVersion"]!.GetValue<string>().StartsWith('m'))
        {
            problems.Add("clientVersion is missing or not a Secrets Manager client version");
        }

        var clientId = payload["clientId"]?.GetValueKind() == JsonValueKind.String ? payload["clientId"]!.GetValue<string>() : null;
        if (clientId is null || !_clients.TryGetValue(clientId, out var client))
        {
            return Error(403, new JsonObject { ["error"] = "access_denied", ["message"] = "Unable to validate application access" });
        }

        byte[]? publicKey = null;
        if (payload["publicKey"] is { } pk)
        {
            binding = true;
            publicKey = pk.GetValueKind() == JsonValueKind.String ? TryB64(pk.GetValue<string>()) : null;
            if (publicKey is not { Length: 65 } || publicKey[0] != 4)
            {
                problems.Add("publicKey is not an uncompressed P-256 point in base64");
                return Error(400, new JsonObject { ["error"] = "bad_request", ["message"] = "publicKey" });
            }
        }

        lock (client)
        {
            var verifyWith = publicKey ?? client.BoundPublicKey;
            if (verifyWith is null || !FakeKeeperCrypto.VerifyDer(verifyWith, [.. sealedKey, .. body], signature))
            {
                problems.Add(verifyWith is null ? "a request without publicKey from a device that never bound" : "the signature does not verify under the device key");
                return Error(403, new JsonObject { ["error"] = "access_denied", ["message"] = "Signature is invalid" });
            }

            if (publicKey is not null)
            {
                if (client.BoundPublicKey is null)
                {
                    client.BoundPublicKey = publicKey;
                }
                else if (client.Confirmed || !client.BoundPublicKey.AsSpan().SequenceEqual(publicKey))
                {
                    // The token was used: bound by another key, or confirmed by a read after binding.
                    return Error(403, new JsonObject { ["error"] = "access_denied", ["message"] = "One-time token has been used" });
                }

                client.Bindings++;
            }
            else
            {
                client.Confirmed = true;
            }
        }

        if (client.Application.Revoked)
        {
            return Error(403, new JsonObject { ["error"] = "access_denied", ["message"] = "Unable to validate application access" });
        }

        var answer = endpoint == "get_secret" ? Secrets(client, binding, SecretsWithoutFolderNames) : Folders(client.Application);
        return (200, FakeKeeperCrypto.Gcm(Encoding.UTF8.GetBytes(answer.ToJsonString()), transmissionKey));
    }

    private static JsonObject Secrets(FakeKeeperClient client, bool binding, bool withoutFolderNames)
    {
        var app = client.Application;
        var answer = new JsonObject
        {
            ["appData"] = FakeKeeperCrypto.B64Url(FakeKeeperCrypto.Gcm(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["title"] = app.Title, ["type"] = "general" }), app.AppKey)),
        };
        if (binding)
        {
            answer["encryptedAppKey"] = FakeKeeperCrypto.B64(FakeKeeperCrypto.Gcm(app.AppKey, client.ClientKey));
            answer["appOwnerPublicKey"] = FakeKeeperCrypto.B64(app.OwnerPublicKey);
        }

        lock (app.Records)
        {
            answer["folders"] = new JsonArray([.. app.Folders.Select(f => (JsonNode?)new JsonObject
            {
                ["folderUid"] = f.Uid,
                ["folderKey"] = FakeKeeperCrypto.B64(FakeKeeperCrypto.Gcm(f.Key, app.AppKey)),
                ["data"] = withoutFolderNames ? null : FakeKeeperCrypto.B64(FakeKeeperCrypto.Cbc(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["name"] = f.Name }), f.Key)),
                ["parent"] = null,
                ["records"] = new JsonArray([.. f.Records.Select(r => (JsonNode?)Record(r, f.Key))]),
            })]);
            answer["records"] = new JsonArray([.. app.Records.Select(r => (JsonNode?)Record(r, app.AppKey))]);
        }

        answer["expiresOn"] = 0;
        answer["warnings"] = new JsonArray();
        return answer;
    }

    private static JsonObject Folders(FakeKeeperApplication app) => new()
    {
        ["folders"] = new JsonArray([.. app.Folders.Select(f => (JsonNode?)new JsonObject
        {
            ["folderUid"] = f.Uid,
            ["folderKey"] = FakeKeeperCrypto.B64(FakeKeeperCrypto.Gcm(f.Key, app.AppKey)),
            ["data"] = FakeKeeperCrypto.B64(FakeKeeperCrypto.Cbc(JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["name"] = f.Name }), f.Key)),
            ["parent"] = null,
            ["records"] = new JsonArray(),
        })]),
    };

    private static JsonObject Record(FakeKeeperRecord record, byte[] parentKey) => new()
    {
        ["recordUid"] = record.Uid,
        ["recordKey"] = FakeKeeperCrypto.B64(FakeKeeperCrypto.Gcm(record.Key, parentKey)),
        ["data"] = FakeKeeperCrypto.B64(FakeKeeperCrypto.Gcm(Encoding.UTF8.GetBytes(record.Data.ToJsonString()),
            record.Undecryptable ? RandomNumberGenerator.GetBytes(32) : record.Key)),
        ["revision"] = record.Revision,
        ["files"] = new JsonArray(),
    };

    private static (int Status, byte[] Body) Error(int status, JsonObject error) => (status, Encoding.UTF8.GetBytes(error.ToJsonString()));

    private static byte[]? TryB64(string text)
    {
        try
        {
            return FakeKeeperCrypto.FromB64(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        foreach (var key in _serverKeys.Values)
        {
            key.Dispose();
        }
    }
}
