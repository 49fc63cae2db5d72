using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Errors;
using Vault.Core.Runs;

namespace Vault.Core.Codes;

/// <summary>
/// One-time codes for runs: each run's inbox (its own e-mail address, the account's SMS number), messages arriving by
/// Mailgun, Twilio, SMTP or a push, and the agent's long-poll read. A message is reduced to what it carries (the code,
/// the link, sender, subject) the moment it arrives, sealed, kept <see cref="CodeOptions.Retention"/>, and never logged.
/// An instance wakes its own waiting readers at once; readers on other instances see a message at their next look
/// (every 250 ms while they wait).
/// </summary>
public sealed class CodeService(
    CodeStore codes,
    InboxStore inboxes,
    RunService runs,
    AuditLog audit,
    IOptions<CodeOptions> options,
    TimeProvider clock,
    ILogger<CodeService> logger)
{
    public const int MaxWaitSeconds = 30;
    private static readonly TimeSpan LookEvery = TimeSpan.FromMilliseconds(250);
    private static readonly Regex E164 = new(@"^\+[1-9][0-9]{6,14}$", RegexOptions.NonBacktracking);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _arrivals = new(StringComparer.Ordinal);
    private readonly Common.AddressWindows _inbound = new(clock);

    /// <summary>Inbound routes (webhooks, SMTP) need no key: each client address gets a number a minute, then a wait.</summary>
    public int? InboundRetryAfter(string? address)
    {
        if (_inbound.RetryAfter(address, options.Value.InboundPerMinute) is { } wait)
        {
            return wait;
        }

        _inbound.Record(address);
        return null;
    }

    /// <summary>Gives a new run its inbox: an address when the operator set a mail domain, the account's number when it asked.</summary>
    public async Task<RunInbox> OpenInboxAsync(Run run, bool smsCodes, CancellationToken ct)
    {
        var domain = options.Value.EmailDomain;
        var localPart = string.IsNullOrWhiteSpace(domain) ? null : InboxStore.NewLocalPart();
        if (localPart is not null || smsCodes)
        {
            await inboxes.AddRunAsync(run.AccountId, run.RunId, localPart, smsCodes, run.ExpiresAt, ct).ConfigureAwait(false);
        }

        return new RunInbox(localPart is null ? null : localPart + "@" + domain,
            smsCodes ? await inboxes.NumberOfAsync(run.AccountId, ct).ConfigureAwait(false) : null);
    }

    public async Task<RunInbox> GetInboxAsync(Run run, CancellationToken ct)
    {
        if (run.Status == RunStatus.Revoked || await inboxes.GetRunAsync(run.RunId, ct).ConfigureAwait(false) is not { } inbox)
        {
            return new RunInbox(null, null);
        }

        return new RunInbox(inbox.LocalPart is null || string.IsNullOrWhiteSpace(options.Value.EmailDomain) ? null : inbox.LocalPart + "@" + options.Value.EmailDomain,
            inbox.SmsCodes ? await inboxes.NumberOfAsync(run.AccountId, ct).ConfigureAwait(false) : null);
    }

    /// <summary>A revoked run's inbox goes: its address stops taking mail and its codes are deleted.</summary>
    public async Task DropInboxAsync(string runId, CancellationToken ct)
    {
        await inboxes.DropRunAsync(runId, ct).ConfigureAwait(false);
        await codes.DropAsync(runId, ct).ConfigureAwait(false);
    }

    /// <summary>POST /v1/runs/{runId}/codes: a message handed to a live run of the account.</summary>
    public async Task<string> PushAsync(string accountId, string runId, string text, string? from, string? subject, CancellationToken ct)
    {
        var view = await runs.GetAsync(accountId, runId, ct).ConfigureAwait(false);
        if (view.Run.Status == RunStatus.Revoked || view.Run.ExpiresAt <= clock.GetUtcNow())
        {
            throw ApiErrors.NotFound("run");
        }

        return await DeliverAsync(runId, CodeChannel.Push, from, subject, text, null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// GET /v1/runs/{runId}/codes: the run's codes after <paramref name="cursor"/>; with <paramref name="waitSeconds"/>,
    /// answers as soon as one arrives or with none when the wait is over. Audited before any code leaves.
    /// </summary>
    public async Task<CodePage> ReadAsync(Run run, int waitSeconds, string? cursor, RunCaller caller, CancellationToken ct)
    {
        var after = cursor is null ? null : DecodeCursor(cursor);
        // The wait is a mechanism (how long a request is held open), so it runs on the real monotonic clock.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(Math.Clamp(waitSeconds, 0, MaxWaitSeconds));
        while (true)
        {
            var arrival = _arrivals.GetOrAdd(run.RunId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var found = await codes.ReadAfterAsync(run.RunId, after, clock.GetUtcNow(), options.Value.MaxMessagesPerRun, ct).ConfigureAwait(false);
            var remaining = limit - waited.Elapsed;
            if (found.Count > 0 || remaining <= TimeSpan.Zero)
            {
                if (found.Count > 0)
                {
                    await audit.RecordAsync(run, found.Select(f => f.Code.Id).ToList(), null, caller, clock.GetUtcNow(), ct).ConfigureAwait(false);
                    logger.LogInformation("Run {RunId} read {Count} one-time codes", run.RunId, found.Count);
                }

                return new CodePage(found.Select(f => f.Code).ToList(), EncodeCursor(found.Count > 0 ? found[^1].RowKey : after));
            }

            var wait = remaining < LookEvery ? remaining : LookEvery;
            await Task.WhenAny(arrival.Task, Task.Delay(wait, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Mail for <paramref name="recipient"/> (Mailgun or SMTP); false when no live run has that address (dropped).</summary>
    public async Task<bool> ReceiveEmailAsync(string? recipient, string? from, string? subject, string? text, string? html, CancellationToken ct)
    {
        if (await RunOfRecipientAsync(recipient, ct).ConfigureAwait(false) is not { } runId)
        {
            return false;
        }

        await DeliverAsync(runId, CodeChannel.Email, from, subject, text, html, ct).ConfigureAwait(false);
        return true;
    }

    /// <summary>Whether mail for this recipient would be taken (the SMTP listener asks before it accepts the message).</summary>
    public async Task<string?> RunOfRecipientAsync(string? recipient, CancellationToken ct)
    {
        var domain = options.Value.EmailDomain;
        if (string.IsNullOrWhiteSpace(domain) || recipient is null || recipient.Length > 320)
        {
            return null;
        }

        var address = recipient.Trim().Trim('<', '>').ToLowerInvariant();
        var at = address.LastIndexOf('@');
        if (at <= 0 || !string.Equals(address[(at + 1)..], domain, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var runId = await inboxes.RunOfAddressAsync(address[..at], clock.GetUtcNow(), ct).ConfigureAwait(false);
        return runId is not null && await IsLiveAsync(runId, ct).ConfigureAwait(false) ? runId : null;
    }

    /// <summary>Records a Mailgun request token; false when it was used before (a replay).</summary>
    public Task<bool> TryUseMailgunTokenAsync(string token, CancellationToken ct) => inboxes.TryUseTokenAsync(token, clock.GetUtcNow(), ct);

    /// <summary>A text to the account whose number is <paramref name="to"/>: it reaches that account's live runs that asked for SMS codes.</summary>
    public async Task<int> ReceiveSmsAsync(string? to, string? from, string? body, CancellationToken ct)
    {
        if (to is null || body is null || await inboxes.AccountOfNumberAsync(to.Trim(), ct).ConfigureAwait(false) is not { } accountId)
        {
            return 0;
        }

        var delivered = 0;
        foreach (var runId in await inboxes.SmsRunsAsync(accountId, clock.GetUtcNow(), ct).ConfigureAwait(false))
        {
            if (await IsLiveAsync(runId, ct).ConfigureAwait(false))
            {
                await DeliverAsync(runId, CodeChannel.Sms, from, null, body, null, ct).ConfigureAwait(false);
                delivered++;
            }
        }

        return delivered;
    }

    public async Task<string> SetSmsNumberAsync(string accountId, string? number, CancellationToken ct)
    {
        var normalized = number?.Trim();
        if (normalized is null || !E164.IsMatch(normalized))
        {
            throw new InvalidCommandException(CommandParameters.PhoneNumber, "must be a phone number in E.164 form, e.g. +15551230000.",
                normalized is null ? InputProblemKind.Required : InputProblemKind.InvalidFormat);
        }

        await inboxes.SetNumberAsync(accountId, normalized, ct).ConfigureAwait(false);
        return normalized;
    }

    public async Task DeleteSmsNumberAsync(string accountId, CancellationToken ct)
    {
        if (!await inboxes.DeleteNumberAsync(accountId, ct).ConfigureAwait(false))
        {
            throw ApiErrors.NotFound("sms number");
        }
    }

    private async Task<bool> IsLiveAsync(string runId, CancellationToken ct)
    {
        if (await runs.FindAnyAsync(runId, ct).ConfigureAwait(false) is not { } run)
        {
            return false;
        }

        return run.Status != RunStatus.Revoked && run.ExpiresAt > clock.GetUtcNow();
    }

    private async Task<string> DeliverAsync(string runId, string channel, string? from, string? subject, string? text, string? html, CancellationToken ct)
    {
        var found = CodeExtractor.Extract(subject, text, html);
        var now = clock.GetUtcNow();
        var code = new ReceivedCode(CodeStore.NewId(), channel, Clip(from, 320), Clip(subject, 500), found.Code, Clip(found.Link, 2000), now);
        await codes.AddAsync(runId, code, now + options.Value.Retention, ct).ConfigureAwait(false);
        if (_arrivals.TryRemove(runId, out var arrival))
        {
            arrival.TrySetResult();
        }

        logger.LogInformation("Run {RunId} received a message by {Channel} ({Found})", runId, channel, found.Code is null && found.Link is null ? "nothing found" : "code or link found");
        return code.Id;
    }

    private static string? Clip(string? text, int max) => text is { Length: > 0 } t ? (t.Length > max ? t[..max] : t) : null;

    private static string EncodeCursor(string? rowKey) =>
        Common.Base64Url.Encode(Encoding.UTF8.GetBytes("codes|" + (rowKey ?? string.Empty)));

    private static string? DecodeCursor(string cursor)
    {
        var bytes = cursor.Length <= 200 ? Common.Base64Url.TryDecode(cursor) : null;
        var text = bytes is null ? null : Encoding.UTF8.GetString(bytes);
        if (text is null || !text.StartsWith("codes|", StringComparison.Ordinal) || text.AsSpan(6).IndexOfAnyExcept("0123456789abcdefghijklmnopqrstuvwxyz-") >= 0)
        {
            throw new InvalidCommandException(CommandParameters.CodeCursor, "is not a cursor of this run's codes.");
        }

        return text.Length == 6 ? null : text[6..];
    }
}
