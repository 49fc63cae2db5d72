using System.Text.Json;

namespace Vault.Testing.TableLimits;

/// <summary>The entities of a query's answer: the length of its JSON <c>value</c> array (a point read's answer is one entity).</summary>
internal static class QueryResultCounter
{
    public static int Count(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return 0;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isValue = reader.ValueTextEquals("value"u8);
                reader.Read();
                if (isValue && reader.TokenType == JsonTokenType.StartArray)
                {
                    var count = 0;
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        count++;
                        reader.Skip();
                    }

                    return count;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
        }

        return 0;
    }
}
