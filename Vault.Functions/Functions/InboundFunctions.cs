using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using Vault.Core.Codes;
using Vault.Core.Errors;
using Vault.Functions.Http;
using Vault.Functions.OpenApi;

namespace Vault.Functions.Functions;

/// <summary>
/// Mail and texts for runs, from Mailgun's inbound route and Twilio's messaging webhook: no key, each request verified
/// by the sender's signature; not billable; rate limited per client address.
/// </summary>
public sealed class InboundFunctions(ApiGate gate, CodeService codes, IOptions<CodeOptions> options, TimeProvider clock)
{
    private const long MaxFormBytes = 2 * 1024 * 1024;
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    [Function(nameof(ReceiveMailgunEmail))]
    [ApiOperation("Inbound", "Mail for runs, as Mailgun's inbound route posts it", Access.Public,
        Description = "Form fields `recipient`, `sender`, `from`, `subject`, `body-plain`, `body-html`, `timestamp`, `token`, `signature`; " +
            "`signature` must be the hex HMAC-SHA256 of `timestamp` + `token` under the Mailgun signing key, `timestamp` within 5 minutes, " +
            "the token unused. Mail for an address that is no live run's is accepted and dropped.")]
    [ApiResponse(200, null, "Accepted (delivered, or dropped for an unknown recipient)")]
    [ApiError(400, ErrorCodes.InvalidInput, "not a form, or larger than 2 MiB")]
    [ApiError(401, ErrorCodes.Unauthorized, "a wrong, old or reused signature")]
    [ApiError(404, ErrorCodes.NotFound, "no Mailgun signing key is configured")]
    [ApiError(429, ErrorCodes.RateLimitExceeded, "too many inbound requests from this address; see `Retry-After`")]
    public Task<IActionResult> ReceiveMailgunEmail([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/inbound/email/mailgun")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, async call =>
        {
            var key = options.Value.MailgunSigningKey;
            if (string.IsNullOrEmpty(key))
            {
                throw ApiErrors.NotFound("route");
            }

            Admit(call);
            var form = await ReadFormAsync(req).ConfigureAwait(false);
            var timestamp = form["timestamp"].ToString();
            var token = form["token"].ToString();
            if (!MailgunSignature.Verify(key, timestamp, token, form["signature"].ToString()) ||
                !long.TryParse(timestamp, out var seconds) || (clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 1L << 40))).Duration() > MaxAge ||
                !await codes.TryUseMailgunTokenAsync(token, call.Aborted).ConfigureAwait(false))
            {
                throw ApiErrors.Unauthorized();
            }

            await codes.ReceiveEmailAsync(form["recipient"].ToString(), First(form["from"].ToString(), form["sender"].ToString()), form["subject"].ToString(),
                form["body-plain"].ToString(), form["body-html"].ToString(), call.Aborted).ConfigureAwait(false);
            return ApiResult.NoContent(200);
        });

    [Function(nameof(ReceiveTwilioSms))]
    [ApiOperation("Inbound", "Texts for runs, as Twilio's messaging webhook posts them", Access.Public,
        Description = "Form fields `From`, `To`, `Body`, `MessageSid`; `X-Twilio-Signature` must be Twilio's signature (base64 HMAC-SHA1 " +
            "under the auth token of the public URL followed by each parameter's name and value, sorted by name). The text reaches the " +
            "live runs, created with `smsCodes`, of the account whose number is `To`.")]
    [ApiResponse(200, null, "Accepted: an empty TwiML answer", ContentType = "text/xml")]
    [ApiError(400, ErrorCodes.InvalidInput, "not a form, or larger than 2 MiB")]
    [ApiError(401, ErrorCodes.Unauthorized, "a wrong signature")]
    [ApiError(404, ErrorCodes.NotFound, "no Twilio auth token or public URL is configured")]
    [ApiError(429, ErrorCodes.RateLimitExceeded, "too many inbound requests from this address; see `Retry-After`")]
    public Task<IActionResult> ReceiveTwilioSms([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/inbound/sms/twilio")] HttpRequest req) =>
        gate.HandleAsync(req, Access.Public, async call =>
        {
            var token = options.Value.TwilioAuthToken;
            var publicUrl = options.Value.PublicBaseUrl;
            if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(publicUrl))
            {
                throw ApiErrors.NotFound("route");
            }

            Admit(call);
            var form = await ReadFormAsync(req).ConfigureAwait(false);
            var url = publicUrl.TrimEnd('/') + req.Path + req.QueryString;
            var parameters = form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value.ToString()));
            if (!TwilioSignature.Verify(token, url, parameters, req.Headers["X-Twilio-Signature"].ToString()))
            {
                throw ApiErrors.Unauthorized();
            }

            await codes.ReceiveSmsAsync(form["To"].ToString(), form["From"].ToString(), form["Body"].ToString(), call.Aborted).ConfigureAwait(false);
            return ApiResult.Raw(200, "text/xml; charset=utf-8", Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>"));
        });

    private void Admit(ApiCall call)
    {
        if (codes.InboundRetryAfter(call.ClientAddress) is { } wait)
        {
            throw ApiErrors.RateLimited(wait);
        }
    }

    private static async Task<IFormCollection> ReadFormAsync(HttpRequest req)
    {
        if (!req.HasFormContentType || req.ContentLength > MaxFormBytes)
        {
            throw new InvalidRequestException("body", "must be a form (multipart/form-data or x-www-form-urlencoded) of at most 2 MiB.");
        }

        try
        {
            return await req.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = MaxFormBytes, ValueLengthLimit = (int)MaxFormBytes },
                req.HttpContext.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            throw new InvalidRequestException("body", "is not a readable form of at most 2 MiB.");
        }
    }

    private static string? First(params string[] values) => values.FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
