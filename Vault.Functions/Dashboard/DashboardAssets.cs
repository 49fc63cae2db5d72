using System.Collections.Frozen;
using System.Security.Cryptography;

namespace Vault.Functions.Dashboard;

/// <summary>One file of the dashboard: its bytes, content type and a strong ETag of its content.</summary>
public sealed record DashboardAsset(string Path, string ContentType, byte[] Content, string ETag);

/// <summary>
/// The dashboard's files, embedded in this assembly at build time (<c>Dashboard/wwwroot</c>), so that the Functions host and
/// standalone mode serve the same bytes with no file-system layout to get right. Looked up by exact name only.
/// </summary>
public static class DashboardAssets
{
    private const string ResourcePrefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly Lazy<FrozenDictionary<string, DashboardAsset>> Files = new(Load);

    /// <summary>The page itself.</summary>
    public static DashboardAsset Index => Find("index.html") ?? throw new InvalidOperationException("The dashboard's index.html is not embedded.");

    /// <summary>Every embedded file by its path under wwwroot, e.g. <c>app/main.js</c>.</summary>
    public static IReadOnlyDictionary<string, DashboardAsset> All => Files.Value;

    public static DashboardAsset? Find(string path) => Files.Value.GetValueOrDefault(path);

    private static FrozenDictionary<string, DashboardAsset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var files = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            if (!ContentTypes.TryGetValue(System.IO.Path.GetExtension(path), out var contentType))
            {
                continue; // a file type the page has no use for is not served
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var content = buffer.ToArray();
            var etag = "\"" + Convert.ToBase64String(SHA256.HashData(content), 0, 18).Replace('+', '-').Replace('/', '_') + "\"";
            files[path] = new DashboardAsset(path, contentType, content, etag);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
