using Vault.Client.Models;

namespace Vault.Client;

/// <summary>One-time codes for a run: wait for the e-mail, SMS or pushed code a site sent during the run.</summary>
public static class VaultCodes
{
    /// <summary>The longest single wait the service holds a request open.</summary>
    private const int MaxWaitSeconds = 30;

    /// <summary>
    /// Waits for the run's next message that carries a code or a link, long-polling in steps of up to 30 seconds;
    /// <c>null</c> when none came within <paramref name="timeout"/>. <paramref name="runClient"/> is made with
    /// <see cref="VaultApi.CreateForRun"/>. Without <paramref name="after"/> only messages arriving from this call on
    /// count; to be sure of one that may arrive before the call, take <c>Codes.GetAsync()</c>'s <c>Cursor</c> before
    /// asking the site to send it and pass it here.
    /// </summary>
    public static async Task<RunCode?> WaitForCodeAsync(
        this VaultClient runClient, string runId, TimeSpan timeout, string? after = null, CancellationToken cancellationToken = default)
    {
        var codes = runClient.V1.Runs[runId].Codes;
        var deadline = DateTimeOffset.UtcNow + timeout;
        var cursor = after ?? (await codes.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false))?.Cursor;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return null;
            }

            var wait = (int)Math.Clamp(Math.Ceiling(left.TotalSeconds), 1, MaxWaitSeconds);
            var page = await codes.GetAsync(r =>
            {
                r.QueryParameters.Wait = wait;
                r.QueryParameters.After = cursor;
            }, cancellationToken).ConfigureAwait(false);
            cursor = page?.Cursor ?? cursor;
            if (page?.Codes?.FirstOrDefault(c => c.Code is not null || c.Link is not null) is { } found)
            {
                return found;
            }
        }
    }
}
