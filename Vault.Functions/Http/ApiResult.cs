using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Vault.Functions.Http;

/// <summary>A JSON answer written with source-generated metadata; runs the same under the Functions host and standalone.</summary>
public sealed class ApiResult : IActionResult
{
    private readonly Func<HttpResponse, Task> _write;

    private ApiResult(int status, Func<HttpResponse, Task> write)
    {
        Status = status;
        _write = write;
    }

    public int Status { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static ApiResult Json<T>(int status, T body, JsonTypeInfo<T> typeInfo) => new(status, async response =>
    {
        response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(response.Body, body, typeInfo, response.HttpContext.RequestAborted).ConfigureAwait(false);
    });

    public static ApiResult Raw(int status, string contentType, byte[] body) => new(status, async response =>
    {
        response.ContentType = contentType;
        await response.Body.WriteAsync(body, response.HttpContext.RequestAborted).ConfigureAwait(false);
    });

    public static ApiResult NoContent() => new(StatusCodes.Status204NoContent, _ => Task.CompletedTask);

    /// <summary>A status without a body (e.g. the 200 a webhook sender expects).</summary>
    public static ApiResult NoContent(int status) => new(status, _ => Task.CompletedTask);

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        response.Headers.CacheControl = "no-store";
        await _write(response).ConfigureAwait(false);
    }
}
