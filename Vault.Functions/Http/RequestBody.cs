using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Vault.Core.Errors;

namespace Vault.Functions.Http;

/// <summary>Reads a JSON request body: at most 64 KiB, well-formed, of the expected shape; anything else is 400 invalid_request.</summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;

    public static async Task<T> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, bool allowEmpty = false)
        where T : class, new()
    {
        if (request.ContentLength > MaxBytes)
        {
            throw new InvalidRequestException("body", $"must not be larger than {MaxBytes / 1024} KiB.");
        }

        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                throw new InvalidRequestException("body", $"must not be larger than {MaxBytes / 1024} KiB.");
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0 || buffer.ToArray().All(b => b is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t'))
        {
            return allowEmpty ? new T() : throw new InvalidRequestException("body", "must be a JSON object.");
        }

        try
        {
            return JsonSerializer.Deserialize(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), typeInfo)
                ?? throw new InvalidRequestException("body", "must be a JSON object.");
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.');
            throw new InvalidRequestException(field, ex.Path is null or "$" ? "must be a JSON object." : "has the wrong type or is malformed.");
        }
        catch (InvalidOperationException)
        {
            throw new InvalidRequestException("body", "must be a JSON object.");
        }
    }
}
