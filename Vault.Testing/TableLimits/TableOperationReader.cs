using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Vault.Testing.TableLimits;

/// <summary>Reads a request (method, raw target, body) into the <see cref="TableOperation"/> it is metered as.</summary>
internal static partial class TableOperationReader
{
    public static TableOperation Read(string method, string rawTarget, string? contentType, byte[] body)
    {
        var question = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rawTarget : rawTarget[..question];
        var resource = TableResource.Parse(path);
        if (resource.IsBatch)
        {
            var charges = BatchOperationReader.Read(contentType, body);
            return charges.Count > 0 ? new TableOperation(charges, false, null) : TableOperation.Unmetered;
        }

        if (!resource.IsEntityTable)
        {
            return TableOperation.Unmetered;
        }

        if (resource.PartitionKey is { } key)
        {
            return TableOperation.Entity(new PartitionId(resource.Table!, key));
        }

        if (HttpMethods.IsGet(method))
        {
            var filter = question < 0 ? null : QueryHelpers.ParseQuery(rawTarget[question..]).GetValueOrDefault("$filter").ToString();
            return TableOperation.Query(FilterPartition(filter) is { } p ? new PartitionId(resource.Table!, p) : null);
        }

        return HttpMethods.IsPost(method) && PartitionKeyInBody(body) is { } inserted
            ? TableOperation.Entity(new PartitionId(resource.Table!, inserted))
            : TableOperation.Unmetered;
    }

    /// <summary>The one partition a filter confines a query to (<c>PartitionKey eq '…'</c>), or null (several, or a range).</summary>
    internal static string? FilterPartition(string? filter)
    {
        if (string.IsNullOrEmpty(filter))
        {
            return null;
        }

        var keys = PartitionKeyEquals().Matches(filter).Select(m => m.Groups[1].Value.Replace("''", "'", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        return keys.Count == 1 ? keys[0] : null;
    }

    /// <summary>An inserted entity's <c>PartitionKey</c> (the body of an insert is its JSON).</summary>
    internal static string? PartitionKeyInBody(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals("PartitionKey"u8);
                reader.Read();
                if (isKey)
                {
                    return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    internal static string? PartitionKeyInBody(string json) => PartitionKeyInBody(Encoding.UTF8.GetBytes(json));

    [GeneratedRegex(@"PartitionKey\s+eq\s+'((?:[^']|'')*)'", RegexOptions.CultureInvariant)]
    private static partial Regex PartitionKeyEquals();
}
