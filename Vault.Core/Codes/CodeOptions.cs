using System.ComponentModel.DataAnnotations;
namespace Vault.Core.Codes;

/// <summary>One-time codes for runs (section <c>Vault:Codes</c>).</summary>
public sealed class CodeOptions
{
    public const string Section = "Vault:Codes";

    /// <summary>The domain of the runs' e-mail addresses (<c>run-…@EmailDomain</c>); unset: runs get no address.</summary>
    public string? EmailDomain { get; set; }

    /// <summary>Mailgun's webhook signing key: the inbound mail route verifies every request with it.</summary>
    public string? MailgunSigningKey { get; set; }

    /// <summary>Twilio's auth token: the inbound SMS route verifies <c>X-Twilio-Signature</c> with it.</summary>
    public string? TwilioAuthToken { get; set; }

    /// <summary>The service's public URL as Twilio calls it (e.g. <c>https://vault.example.com</c>), signed by Twilio.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Standalone mode: the SMTP port to accept mail for runs on; unset: no listener.</summary>
    [Range(1, 65535, ErrorMessage = "Vault__Codes__SmtpPort must be a TCP port (1-65535).")]
    public int? SmtpPort { get; set; }

    /// <summary>How long a received code is kept.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages one run keeps at most (older ones first go when more arrive).</summary>
    [Range(1, 1000, ErrorMessage = "Vault__Codes__MaxMessagesPerRun must be between 1 and 1000.")]
    public int MaxMessagesPerRun { get; set; } = 50;

    /// <summary>Inbound requests (webhooks, SMTP) one client address may make a minute.</summary>
    [Range(1, int.MaxValue, ErrorMessage = "Vault__Codes__InboundPerMinute must be at least 1.")]
    public int InboundPerMinute { get; set; } = 600;
}
