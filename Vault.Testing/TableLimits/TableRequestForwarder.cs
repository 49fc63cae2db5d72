using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Vault.Testing.TableLimits;

/// <summary>
/// Sends a request on to the real table endpoint unchanged: method, raw target (path and query exactly as escaped,
/// which SharedKey signed as <c>/{account}/{path}</c>), every header including Authorization, x-ms-date and Host, and
/// the body; then copies the answer back. The signature covers no host or port, so it holds across the hop.
/// </summary>
internal sealed class TableRequestForwarder(Uri target) : IDisposable
{
    // Hop-by-hop headers and the ones HttpClient and Kestrel set themselves.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Transfer-Encoding", "Upgrade", "Proxy-Connection", "TE", "Trailer", "Expect", "Host", "Content-Length",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
    })
    { Timeout = TimeSpan.FromMinutes(2) };

    public async Task<HttpResponseMessage> SendAsync(HttpContext context, byte[] body)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path + context.Request.QueryString;
        var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(target, rawTarget));
        if (body.Length > 0)
        {
            request.Content = new ByteArrayContent(body);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (NotForwarded.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }

        // The client's Host, so links storage writes into its answers (odata.metadata, batch parts) name this endpoint.
        request.Headers.Host = context.Request.Host.Value;
        return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
    }

    /// <summary>Copies status and headers, then <paramref name="body"/> when already read, else the answer's stream.</summary>
    public static async Task CopyAsync(HttpResponseMessage answer, HttpContext context, byte[]? body)
    {
        context.Response.StatusCode = (int)answer.StatusCode;
        foreach (var (name, values) in answer.Headers.Concat(answer.Content.Headers))
        {
            if (!NotForwarded.Contains(name) || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.Headers[name] = values.ToArray();
            }
        }

        if (body is not null)
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        else
        {
            await using var stream = await answer.Content.ReadAsStreamAsync(context.RequestAborted);
            await stream.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    public void Dispose() => _client.Dispose();
}
