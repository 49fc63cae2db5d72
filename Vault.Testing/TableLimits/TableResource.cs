using System.Text.RegularExpressions;

namespace Vault.Testing.TableLimits;

/// <summary>
/// What a Table service path names: <c>/{account}/{table}</c>, <c>/{account}/{table}()</c>,
/// <c>/{account}/{table}(PartitionKey='…',RowKey='…')</c>, <c>/{account}/Tables…</c> or <c>/{account}/$batch</c>.
/// Keys arrive URL-escaped with a quote doubled (<c>''</c>), as the SDK writes them.
/// </summary>
internal sealed partial record TableResource(string? Table, string? PartitionKey, bool IsBatch)
{
    private static readonly TableResource None = new(null, null, false);

    /// <summary>An entity table's name (not the <c>Tables</c> resource that lists and creates tables).</summary>
    public bool IsEntityTable => Table is not null;

    public static TableResource Parse(string escapedPath)
    {
        var segments = escapedPath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length != 2)
        {
            return None;
        }

        var resource = Uri.UnescapeDataString(segments[1]);
        if (resource == "$batch")
        {
            return None with { IsBatch = true };
        }

        var open = resource.IndexOf('(', StringComparison.Ordinal);
        var table = open < 0 ? resource : resource[..open];
        if (table.Length == 0 || table.Equals("Tables", StringComparison.OrdinalIgnoreCase))
        {
            return None;
        }

        var key = open < 0 ? null : PartitionKeyInPath().Match(resource, open) is { Success: true } m ? m.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal) : null;
        return new TableResource(table, key, false);
    }

    [GeneratedRegex("PartitionKey='((?:[^']|'')*)'", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionKeyInPath();
}
