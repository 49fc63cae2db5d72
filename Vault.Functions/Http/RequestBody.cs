using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Vault.Core.Errors;

namespace Vault.Functions.Http;

/// <summary>Reads a JSON request body: at most 64 KiB, well-formed, of the expected shape; anything else is 400 INVALID_INPUT with a detail naming the problem.</summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, bool allowEmpty = false)
        where T : class, new()
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        var json = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (json.Span.Trim(" \n\r\t"u8).IsEmpty)
        {
            return allowEmpty ? new T() : throw new InvalidRequestException("body", "must be a JSON object.", InputProblemKind.Required);
        }

        // Well-formed JSON first, so that a syntax error (invalid_json) is told apart from a field of the wrong type.
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException("body", "must be a JSON object.", InputProblemKind.InvalidType);
            }
        }
        catch (JsonException)
        {
            throw new InvalidRequestException("body", "is not well-formed JSON.", InputProblemKind.InvalidJson);
        }

        try
        {
            return JsonSerializer.Deserialize(json.Span, typeInfo)
                ?? throw new InvalidRequestException("body", "must be a JSON object.", InputProblemKind.InvalidType);
        }
        catch (JsonException ex)
        {
            throw new InvalidRequestException(ex.Path ?? "body", "has the wrong type.", InputProblemKind.InvalidType);
        }
        catch (InvalidOperationException)
        {
            throw new InvalidRequestException("body", "must be a JSON object.", InputProblemKind.InvalidType);
        }
    }

    private static InvalidRequestException TooLarge() =>
        new("body", $"must not be larger than {MaxBytes / 1024} KiB.", InputProblemKind.TooLong);
}
