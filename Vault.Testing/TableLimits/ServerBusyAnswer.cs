using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Vault.Testing.TableLimits;

/// <summary>
/// Table Storage's answer over a scalability target: <c>503</c>, <c>x-ms-error-code: ServerBusy</c> and the OData JSON
/// error <c>{"odata.error":{"code":"ServerBusy","message":{"lang":"en-US","value":"The server is busy.\nRequestId:…\nTime:…"}}}</c>.
/// Azure sends no Retry-After with it, so neither does this: the client's own backoff is what is tested.
/// </summary>
internal static class ServerBusyAnswer
{
    public const string Code = "ServerBusy";

    public static async Task WriteAsync(HttpContext context, TimeProvider time)
    {
        var requestId = Guid.NewGuid().ToString();
        var now = time.GetUtcNow();
        var response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.ContentType = "application/json;odata=minimalmetadata;streaming=true;charset=utf-8";
        response.Headers["x-ms-error-code"] = Code;
        response.Headers["x-ms-request-id"] = requestId;
        response.Headers["x-ms-version"] = context.Request.Headers["x-ms-version"].FirstOrDefault() ?? "2019-02-02";
        response.Headers.Date = now.ToString("R", CultureInfo.InvariantCulture);
        if (context.Request.Headers["x-ms-client-request-id"].FirstOrDefault() is { } clientRequestId)
        {
            response.Headers["x-ms-client-request-id"] = clientRequestId;
        }

        using var body = new MemoryStream();
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteStartObject("odata.error");
            json.WriteString("code", Code);
            json.WriteStartObject("message");
            json.WriteString("lang", "en-US");
            json.WriteString("value", $"The server is busy.\nRequestId:{requestId}\nTime:{now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture)}");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length), context.RequestAborted);
    }
}
