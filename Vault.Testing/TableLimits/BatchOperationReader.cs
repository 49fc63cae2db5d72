using System.Text;
using System.Text.RegularExpressions;

namespace Vault.Testing.TableLimits;

/// <summary>
/// The operations of an entity-group transaction: a <c>multipart/mixed</c> batch whose changeset holds one
/// <c>application/http</c> part per operation (<c>POST http://…/{account}/{table} HTTP/1.1</c> with the entity as JSON,
/// or <c>PATCH|PUT|DELETE …/{table}(PartitionKey='…',RowKey='…') HTTP/1.1</c>). Each counts one entity of its partition,
/// taken from the operation's path or, for an insert, its body.
/// </summary>
internal static partial class BatchOperationReader
{
    public static Dictionary<PartitionId, int> Read(string? contentType, byte[] body)
    {
        var charges = new Dictionary<PartitionId, int>();
        if (contentType is null || !contentType.StartsWith("multipart/mixed", StringComparison.OrdinalIgnoreCase))
        {
            return charges;
        }

        var lines = Encoding.UTF8.GetString(body).Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        for (var i = 0; i < lines.Length; i++)
        {
            var request = RequestLine().Match(lines[i]);
            if (!request.Success || !Uri.TryCreate(request.Groups[2].Value, UriKind.Absolute, out var url))
            {
                continue;
            }

            var resource = TableResource.Parse(url.AbsolutePath);
            var key = resource.PartitionKey ?? PartitionKeyInPartBody(lines, i + 1);
            if (resource.IsEntityTable && key is not null)
            {
                var partition = new PartitionId(resource.Table!, key);
                charges[partition] = charges.GetValueOrDefault(partition) + 1;
            }
        }

        return charges;
    }

    /// <summary>The JSON after the operation's headers (up to the next boundary line), read for its PartitionKey.</summary>
    private static string? PartitionKeyInPartBody(string[] lines, int start)
    {
        var blank = Array.FindIndex(lines, start, l => l.Length == 0);
        if (blank < 0)
        {
            return null;
        }

        var end = Array.FindIndex(lines, blank + 1, l => l.StartsWith("--", StringComparison.Ordinal));
        var json = string.Join('\n', lines[(blank + 1)..(end < 0 ? lines.Length : end)]);
        return TableOperationReader.PartitionKeyInBody(json);
    }

    [GeneratedRegex(@"^(GET|POST|PUT|PATCH|MERGE|DELETE) (\S+) HTTP/1\.1$", RegexOptions.CultureInvariant)]
    private static partial Regex RequestLine();
}
