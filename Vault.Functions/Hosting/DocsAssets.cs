using System.Collections.Frozen;
using Vault.Core.Errors;
using Vault.Functions.Http;

namespace Vault.Functions.Hosting;

/// <summary>
/// The files of the HTML API reference (<c>wwwroot/docs</c> beside the app: the page, its script and style, and Redoc's
/// standalone bundle copied from node_modules at build time), read once and served from memory by name only.
/// </summary>
public sealed class DocsAssets
{
    public const string IndexFile = "index.html";

    /// <summary>Only this origin: scripts and styles of the bundle, the document fetched from here, Redoc's search worker from a blob.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; worker-src blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary();

    private readonly FrozenDictionary<string, (string ContentType, byte[] Body)> _files;

    public DocsAssets()
        : this(Path.Combine(AppContext.BaseDirectory, "wwwroot", "docs"))
    {
    }

    public DocsAssets(string directory)
    {
        _files = (Directory.Exists(directory) ? Directory.GetFiles(directory) : [])
            .Where(path => ContentTypes.ContainsKey(Path.GetExtension(path)))
            .ToFrozenDictionary(path => Path.GetFileName(path), path => (ContentTypes[Path.GetExtension(path)], File.ReadAllBytes(path)), StringComparer.Ordinal);
    }

    /// <summary>The file as an answer with the page's security headers, or 404 for any other name.</summary>
    public ApiResult Serve(string? name)
    {
        if (name is null || !_files.TryGetValue(name, out var file))
        {
            throw ApiErrors.NotFound("file");
        }

        var result = ApiResult.Raw(200, file.ContentType, file.Body);
        result.Headers["Content-Security-Policy"] = ContentSecurityPolicy;
        result.Headers["X-Content-Type-Options"] = "nosniff";
        result.Headers["Referrer-Policy"] = "no-referrer";
        result.Headers["X-Frame-Options"] = "DENY";
        result.Headers["Cross-Origin-Opener-Policy"] = "same-origin";
        result.Headers["Cross-Origin-Resource-Policy"] = "same-origin";
        return result;
    }
}
