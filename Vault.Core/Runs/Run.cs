namespace Vault.Core.Runs;

/// <summary>The <c>status</c> values of a run.</summary>
public static class RunStatus
{
    public const string Created = "created";
}

/// <summary>A credential as shown on the run (no secret).</summary>
public sealed record GrantedCredential(string ItemId, string Label, string? Username, IReadOnlyList<string> Domains);

/// <summary>A run and the items granted to it, fixed at creation.</summary>
public sealed record Run(
    string RunId,
    string AccountId,
    string Status,
    string? Url,
    bool GrantAll,
    IReadOnlyList<GrantedCredential> Credentials,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt);

public sealed record CreatedRun(Run Run, string RunToken);

/// <summary>What the caller asked for.</summary>
public sealed record RunRequest(string? Url, string? Goal, bool? UseVault, IReadOnlyList<string>? CredentialItemIds);

/// <summary>One credential handed to the agent runtime.</summary>
public sealed record RunCredential(string ItemId, string Label, string? Username, string? Password, IReadOnlyList<string> Urls, TotpCode? Totp)
{
    public override string ToString() => $"RunCredential {{ ItemId = {ItemId}, *** }}";
}

/// <summary>Who called the credential route, for the audit log.</summary>
public sealed record RunCaller(string? RemoteAddress, string? UserAgent);
