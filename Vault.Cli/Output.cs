using System.Text;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Vault.Cli;

/// <summary>Plain-text tables and bars for people; the API's JSON for scripts (<c>--json</c>).</summary>
internal static class Output
{
    public static async Task JsonAsync<T>(CliIo io, T model) where T : IParsable
    {
        var json = await KiotaJsonSerializer.SerializeAsStringAsync(model, serializeOnlyChangedValues: false);
        io.Out.WriteLine(System.Text.Json.Nodes.JsonNode.Parse(json)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Columns as wide as their widest cell, two spaces apart.</summary>
    public static void Table(CliIo io, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string indent = "")
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        foreach (var row in all)
        {
            var line = new StringBuilder(indent);
            for (var c = 0; c < row.Count; c++)
            {
                line.Append(c == row.Count - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            io.Out.WriteLine(line.ToString().TrimEnd());
        }
    }

    /// <summary>A horizontal bar scaled to <paramref name="max"/> over <paramref name="width"/> cells (at least one for a non-zero value).</summary>
    public static string Bar(long value, long max, int width = 40)
    {
        if (value <= 0 || max <= 0)
        {
            return string.Empty;
        }

        var cells = (int)Math.Max(1, Math.Round((double)value / max * width));
        return new string('█', cells);
    }

    public static string Time(DateTimeOffset? value) => value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm") ?? "-";
}
