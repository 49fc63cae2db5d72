namespace Vault.Core.Runs;

/// <summary>The <c>status</c> values of a run.</summary>
public static class RunStatus
{
    public const string Created = "created";

    /// <summary>Revoked by <c>DELETE /v1/runs/{runId}</c>, or because the API key that created it was revoked.</summary>
    public const string Revoked = "revoked";
}

/// <summary>A credential as shown on the run (no secret).</summary>
public sealed record GrantedCredential(string ItemId, string Label, string? Username, IReadOnlyList<string> Domains);

/// <summary>A run; the items granted to it are fixed at creation and stored beside it (<see cref="RunStore"/>).</summary>
public sealed record Run(
    string RunId,
    string AccountId,
    string Status,
    string? Url,
    bool GrantAll,
    int GrantCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string? CreatedByKeyId = null)
{
    /// <summary>Partitions the grant's rows are spread over (<see cref="RunStore"/>); 1 is the run's own partition.</summary>
    public int GrantBuckets { get; init; } = 1;
}

/// <summary>A run with the credentials granted to it, as the API shows it.</summary>
public sealed record RunView(Run Run, IReadOnlyList<GrantedCredential> Credentials);

public sealed record CreatedRun(Run Run, IReadOnlyList<GrantedCredential> Credentials, string RunToken);

/// <summary>
/// A run to create, as checked at the edge: <see cref="Url"/> an absolute http(s) URL, at most
/// <see cref="RunService.MaxExplicitItems"/> non-empty ids, and no ids with <see cref="UseVault"/> false.
/// </summary>
public sealed record RunRequest(string? Url, string? Goal, bool? UseVault, IReadOnlyList<string>? CredentialItemIds);

/// <summary>One credential handed to the agent runtime.</summary>
public sealed record RunCredential(string ItemId, string Label, string? Username, string? Password, IReadOnlyList<string> Urls, TotpCode? Totp)
{
    public override string ToString() => $"RunCredential {{ ItemId = {ItemId}, *** }}";
}

/// <summary>Who called the credential route, for the audit log.</summary>
public sealed record RunCaller(string? RemoteAddress, string? UserAgent);

/// <summary>One credential read of a run, as its trail shows it (no secret).</summary>
public sealed record AuditEntry(DateTimeOffset At, IReadOnlyList<string> ItemIds, string? Domain, RunCaller Caller);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? NextPageToken);
