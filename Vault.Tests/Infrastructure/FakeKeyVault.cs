using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Security.KeyVault.Secrets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Vault.Tests.Infrastructure;

/// <summary>
/// An in-process fake of the Key Vault secrets REST API (set, get, delete, versions), on HTTPS at 127.0.0.1 with a
/// self-signed certificate, with the challenge-based bearer flow the SDK expects and injectable failures (429 with
/// Retry-After, 503). Driven by the real <see cref="SecretClient"/>.
/// </summary>
public sealed class FakeKeyVault : IAsyncDisposable
{
    public const string Token = "fake-key-vault-token";
    private readonly WebApplication _app;
    private readonly X509Certificate2 _certificate;
    private readonly ConcurrentDictionary<string, List<(string Version, JsonObject Bundle)>> _secrets = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<(int Status, TimeSpan? RetryAfter)> _failures = new();
    private int _failAlways;

    private FakeKeyVault(WebApplication app, X509Certificate2 certificate, Uri uri)
    {
        _app = app;
        _certificate = certificate;
        VaultUri = uri;
    }

    public Uri VaultUri { get; }

    /// <summary>Every request: method, path, whether it carried the bearer token, and the status answered.</summary>
    public ConcurrentQueue<(string Method, string Path, bool Authorized, int Status)> Requests { get; } = new();

    public IReadOnlyCollection<string> Names => _secrets.Where(s => s.Value.Count > 0).Select(s => s.Key).ToList();

    public static async Task<FakeKeyVault> StartAsync()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => { o.Protocols = HttpProtocols.Http1; o.UseHttps(certificate); }));
        var app = builder.Build();
        FakeKeyVault? vault = null;
        app.Run(context => vault!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Urls.First();
        vault = new FakeKeyVault(app, certificate, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
        return vault;
    }

    /// <summary>The next <paramref name="count"/> requests fail with <paramref name="status"/>.</summary>
    public void FailNext(int status, int count, TimeSpan? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
        {
            _failures.Enqueue((status, retryAfter));
        }
    }

    public void FailAlways(bool on) => Interlocked.Exchange(ref _failAlways, on ? 1 : 0);

    /// <summary>A real SecretClient for this fake: trusts its certificate only, short retry delays.</summary>
    /// <param name="maxRetries">The SDK's own retries of 429/5xx (0: a failure reaches the caller at once).</param>
    public SecretClient CreateClient(int maxRetries = 3)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, cert, _, _) => cert is not null && cert.Thumbprint == _certificate.Thumbprint,
        };
        var options = new SecretClientOptions
        {
            DisableChallengeResourceVerification = true,
            Transport = new HttpClientTransport(handler),
            Retry = { Delay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromSeconds(5), MaxRetries = maxRetries, NetworkTimeout = TimeSpan.FromSeconds(10) },
        };
        return new SecretClient(VaultUri, new StaticTokenCredential(), options);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var authorized = request.Headers.Authorization.ToString() == "Bearer " + Token;
        var status = await AnswerAsync(context, authorized);
        Requests.Enqueue((request.Method, request.Path.Value ?? string.Empty, authorized, status));
    }

    private async Task<int> AnswerAsync(HttpContext context, bool authorized)
    {
        var response = context.Response;
        if (!authorized)
        {
            response.Headers.WWWAuthenticate = "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001\", resource=\"https://vault.azure.net\"";
            return await ErrorAsync(response, 401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.");
        }

        if (_failAlways == 1)
        {
            return await ErrorAsync(response, 503, "ServiceUnavailable", "The service is unavailable.");
        }

        if (_failures.TryDequeue(out var failure))
        {
            if (failure.RetryAfter is { } wait)
            {
                response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return await ErrorAsync(response, failure.Status, failure.Status == 429 ? "Throttled" : "ServiceUnavailable", "Injected failure.");
        }

        var segments = (context.Request.Path.Value ?? string.Empty).Trim('/').Split('/');
        if (segments.Length < 2 || segments[0] != "secrets" || !context.Request.Query.ContainsKey("api-version"))
        {
            return await ErrorAsync(response, 400, "BadParameter", "Unsupported request.");
        }

        var name = segments[1];
        switch (context.Request.Method)
        {
            case "PUT":
                var body = await JsonNode.ParseAsync(context.Request.Body);
                var version = Guid.NewGuid().ToString("N");
                var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                var bundle = new JsonObject
                {
                    ["value"] = body!["value"]!.GetValue<string>(),
                    ["contentType"] = body["contentType"]?.GetValue<string>(),
                    ["id"] = new Uri(VaultUri, $"secrets/{name}/{version}").ToString(),
                    ["attributes"] = new JsonObject { ["enabled"] = true, ["created"] = now, ["updated"] = now, ["recoveryLevel"] = "Recoverable" },
                    ["tags"] = new JsonObject(),
                };
                _secrets.AddOrUpdate(name, _ => [(version, bundle)], (_, list) => { lock (list) { list.Add((version, bundle)); } return list; });
                return await JsonAsync(response, 200, bundle);
            case "GET":
                if (!_secrets.TryGetValue(name, out var versions) || versions.Count == 0)
                {
                    return await ErrorAsync(response, 404, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
                }

                JsonObject? wanted;
                lock (versions)
                {
                    wanted = segments.Length > 2 && segments[2].Length > 0 ? versions.FirstOrDefault(v => v.Version == segments[2]).Bundle : versions[^1].Bundle;
                }

                return wanted is null
                    ? await ErrorAsync(response, 404, "SecretNotFound", "Version not found.")
                    : await JsonAsync(response, 200, wanted);

            case "DELETE":
                if (!_secrets.TryRemove(name, out var removed) || removed.Count == 0)
                {
                    return await ErrorAsync(response, 404, "SecretNotFound", $"A secret with (name/id) {name} was not found in this key vault.");
                }

                var deleted = removed[^1].Bundle.DeepClone().AsObject();
                deleted.Remove("value");
                deleted["recoveryId"] = new Uri(VaultUri, $"deletedsecrets/{name}").ToString();
                deleted["deletedDate"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
                deleted["scheduledPurgeDate"] = DateTimeOffset.UtcNow.AddDays(90).ToUnixTimeSeconds();
                return await JsonAsync(response, 200, deleted);
            default:
                return await ErrorAsync(response, 405, "MethodNotAllowed", "Unsupported method.");
        }
    }

    private static async Task<int> JsonAsync(HttpResponse response, int status, JsonNode body)
    {
        response.StatusCode = status;
        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(body.ToJsonString());
        return status;
    }

    private static Task<int> ErrorAsync(HttpResponse response, int status, string code, string message) =>
        JsonAsync(response, status, new JsonObject { ["error"] = new JsonObject { ["code"] = code, ["message"] = message } });

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _certificate.Dispose();
    }

    private sealed class StaticTokenCredential : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new(Token, DateTimeOffset.UtcNow.AddHours(1));

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
