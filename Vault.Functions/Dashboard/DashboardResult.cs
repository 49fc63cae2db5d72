using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Vault.Functions.Dashboard;

/// <summary>
/// Writes a dashboard file with the page's security headers, a strong ETag and revalidation on every load
/// (<c>no-cache</c>): a deploy is seen at once, and an unchanged file costs a 304 with no body.
/// </summary>
public sealed class DashboardResult(DashboardAsset asset) : IActionResult
{
    /// <summary>
    /// Scripts and styles only from the app itself (no inline script or eval, no inline style sheets), no plugins, no
    /// base-URL rewriting, no framing; the page talks only to its own origin.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'none'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void AddSecurityHeaders(HttpResponse response)
    {
        response.Headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
        response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers[HeaderNames.XFrameOptions] = "DENY";
        response.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
    }

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var request = context.HttpContext.Request;
        var response = context.HttpContext.Response;
        AddSecurityHeaders(response);
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        if (request.Headers.IfNoneMatch.Any(v => v is not null && v.Split(',').Any(tag => tag.Trim() == asset.ETag || tag.Trim() == "*")))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        if (!HttpMethods.IsHead(request.Method))
        {
            await response.Body.WriteAsync(asset.Content, context.HttpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
