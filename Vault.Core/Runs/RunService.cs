using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vault.Core.Accounts;
using Vault.Core.Common;
using Vault.Core.Connections;
using Vault.Core.Domains;
using Vault.Core.Errors;
using Vault.Core.Items;
using Vault.Core.Storage;
using Vault.Core.Connections.Sync;

namespace Vault.Core.Runs;

/// <summary>
/// Runs and the credentials granted to them: the grant is fixed at creation, the run token is shown once and stored
/// hashed, and every credential read is audited before any secret leaves.
/// </summary>
public sealed class RunService(
    RunStore runs,
    AuditLog audit,
    ItemStore cache,
    IItemSecretsSource itemSecrets,
    SealedSecretsReader sealedSecrets,
    AccountService accounts,
    Resync.EarlyResync earlyResync,
    TimeProvider clock,
    IOptions<VaultOptions> options,
    ILogger<RunService> logger)
{
    public const int MaxExplicitItems = 100;
    private const string RunTokenPrefix = "rt_";

    public const int DefaultAuditLimit = 100;
    public const int MaxAuditLimit = 1000;

    /// <param name="createdByKeyId">The API key creating the run: revoking it revokes the run.</param>
    public async Task<CreatedRun> CreateAsync(string accountId, string? createdByKeyId, RunRequest request, CancellationToken ct)
    {
        // The request was checked at the edge (Vault.Functions/Http/RunCommands.cs): sizes, forms, the grant's shape.
        var ids = request.CredentialItemIds;
        List<CachedItem> granted;
        var grantAll = false;
        if (ids is { Count: > 0 })
        {
            granted = await ResolveExplicitAsync(accountId, ids.Distinct(StringComparer.Ordinal).ToList(), ct).ConfigureAwait(false);
        }
        else if (request.UseVault == true)
        {
            grantAll = true;
            granted = (await cache.ListAllAsync(accountId, ct).ConfigureAwait(false)).Where(i => i.Enabled).ToList();
        }
        else
        {
            granted = [];
        }

        var now = clock.GetUtcNow();
        var run = new Run(Ids.New("run"), accountId, RunStatus.Created, request.Url, grantAll, granted.Count, now, now + options.Value.RunTokenLifetime, createdByKeyId)
        {
            GrantBuckets = RunStore.GrantBucketsFor(granted.Count),
        };
        var token = Ids.NewSecret(RunTokenPrefix);
        if (await runs.AddAsync(run, Ids.HashSecret(token), granted, ct).ConfigureAwait(false) is > 0 and var leftOut)
        {
            logger.LogWarning("Run {RunId}: {Count} items with starts-with, exact or regex URIs are over the {Max} checked on every read; " +
                "they are found by their domains only", run.RunId, leftOut, RunStore.MaxAnyDomainItems);
        }

        logger.LogInformation("Run {RunId} created with {Count} granted credentials", run.RunId, granted.Count);
        return new CreatedRun(run, granted.Select(ToGranted).ToList(), token);
    }

    public async Task<RunView> GetAsync(string accountId, string runId, CancellationToken ct)
    {
        var run = await FindAsync(accountId, runId, ct).ConfigureAwait(false);
        var status = await IsRevokedAsync(run, ct).ConfigureAwait(false) ? RunStatus.Revoked : run.Status;
        return new RunView(run with { Status = status }, await runs.ReadGrantAsync(run, ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Revokes the run: its token is refused from the answer on, on every instance (the answer waits out
    /// <see cref="RunStore.HeadLifetime"/>, the longest any instance keeps the run row it read).
    /// </summary>
    public async Task RevokeAsync(string accountId, string runId, CancellationToken ct)
    {
        var run = await FindAsync(accountId, runId, ct).ConfigureAwait(false);
        if (run.Status != RunStatus.Revoked)
        {
            await runs.RevokeAsync(runId, clock.GetUtcNow(), ct).ConfigureAwait(false);
            logger.LogInformation("Run {RunId} revoked", runId);
        }

        await Task.Delay(RunStore.HeadLifetime, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The run's credential reads, newest first.</summary>
    public async Task<AuditPage> ReadAuditAsync(string accountId, string runId, int limit, string? pageToken, CancellationToken ct)
    {
        await FindAsync(accountId, runId, ct).ConfigureAwait(false);
        return await audit.ReadPageAsync(runId, limit, pageToken, ct).ConfigureAwait(false);
    }

    /// <summary>The run whose token this is; 401 for anything else (another run's token, an API key, an expired or revoked run).</summary>
    public async Task<Run> AuthenticateAsync(string runId, string? bearerToken, CancellationToken ct)
    {
        if (bearerToken is null || !bearerToken.StartsWith(RunTokenPrefix, StringComparison.Ordinal) || bearerToken.Length > 100)
        {
            throw ApiErrors.Unauthorized();
        }

        var found = await runs.GetAsync(runId, ct).ConfigureAwait(false);
        if (found is not { } f || !ConstantTime.Equals(f.TokenHash, Ids.HashSecret(bearerToken)) || f.Run.ExpiresAt <= clock.GetUtcNow() ||
            await IsRevokedAsync(f.Run, ct).ConfigureAwait(false))
        {
            throw ApiErrors.Unauthorized();
        }

        return f.Run;
    }

    /// <summary>The run with its current status (revoked when its key was), whatever the account; null when unknown.</summary>
    public async Task<Run?> FindAnyAsync(string runId, CancellationToken ct) =>
        await runs.GetAsync(runId, ct).ConfigureAwait(false) is { } f
            ? f.Run with { Status = await IsRevokedAsync(f.Run, ct).ConfigureAwait(false) ? RunStatus.Revoked : f.Run.Status }
            : null;

    /// <summary>Revoked itself, or created by an API key that has been revoked since.</summary>
    private async Task<bool> IsRevokedAsync(Run run, CancellationToken ct) =>
        run.Status == RunStatus.Revoked ||
        (run.CreatedByKeyId is { } keyId && !await accounts.IsKeyLiveAsync(run.AccountId, keyId, ct).ConfigureAwait(false));

    private async Task<Run> FindAsync(string accountId, string runId, CancellationToken ct) =>
        await runs.GetAsync(runId, ct).ConfigureAwait(false) is { } f && f.Run.AccountId == accountId ? f.Run : throw ApiErrors.NotFound("run");

    /// <summary>
    /// The granted credentials (narrowed to <paramref name="site"/>), with secrets. The audit row is written first;
    /// if it cannot be, the call fails with 503 and nothing secret is read.
    /// </summary>
    public async Task<IReadOnlyList<RunCredential>> GetCredentialsAsync(Run run, SiteQuery? site, RunCaller caller, CancellationToken ct)
    {
        if (run.GrantAll && site is null)
        {
            throw new InvalidCommandException(CommandParameters.Site, "is required for a run granted the whole vault.", InputProblemKind.Required);
        }

        // Current state: deleted or disabled items are no longer handed out.
        var domain = site?.Site;
        var skipped = new UriRuleSkips();
        var items = (await ReadGrantedAsync(run, site?.RegistrableDomain, ct).ConfigureAwait(false))
            .Where(stored => stored.Item.Enabled && (domain is null || stored.Item.Data.Uris.Any(u => SiteMatcher.Matches(u.Uri, u.Match, domain, skipped))))
            .ToList();
        if (skipped.Count > 0)
        {
            logger.LogWarning("Run {RunId}: {Count} URI patterns could not be used (over {Max} characters, or not supported by the linear regex engine)",
                run.RunId, skipped.Count, SiteMatcher.MaxPatternLength);
        }


        // Key Vault is read before the audit row, so that its failure leaves no record of a read that never happened.
        await sealedSecrets.PrepareAsync(run.AccountId, items, ct).ConfigureAwait(false);
        try
        {
            await audit.RecordAsync(run, items.Select(i => i.Item.ItemId).ToList(), domain, caller, clock.GetUtcNow(), ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailures.IsBackingServiceFailure(ex))
        {
            logger.LogError("Audit record for run {RunId} could not be written; no credentials returned", run.RunId);
            throw ApiErrors.VaultUnavailable("The access could not be audited, so no credentials were returned; retry later.");
        }

        var result = new List<RunCredential>(items.Count);
        foreach (var stored in items)
        {
            var credential = await itemSecrets.GetAsync(run.AccountId, stored, ct).ConfigureAwait(false);
            result.Add(new RunCredential(stored.Item.ItemId, stored.Item.Data.Label, credential.Username, credential.Secrets.Password,
                stored.Item.Data.Uris.Select(u => u.Uri).ToList(), TotpGenerator.Compute(credential.Secrets.Totp, clock.GetUtcNow())));
        }

        logger.LogInformation("Run {RunId} read {Count} credentials", run.RunId, result.Count);
        // A site in use whose connection is stale gets an early resync; started here, never waited for.
        earlyResync.NoteRead(run.AccountId, items.Select(i => i.Item.ConnectionId));
        return result;
    }

    /// <summary>
    /// The granted items as cached now, without a read per granted item: for a domain, the grant's domain index and the
    /// cache's domain rows (both range reads; rows without sealed secrets and granted items outside the domain rows,
    /// e.g. with a regular-expression URI, are read by id); without one (explicit grants only, at most
    /// <see cref="MaxExplicitItems"/>), every granted item by id.
    /// </summary>
    private async Task<List<StoredItem>> ReadGrantedAsync(Run run, string? registrableDomain, CancellationToken ct)
    {
        if (registrableDomain is null)
        {
            return await cache.GetManyAsync(run.AccountId, await runs.GrantedItemIdsAsync(run, null, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        }

        // The grant's index and the cache's domain rows do not depend on each other: both are read at once (WhenAll
        // waits for both, so neither is left running or unobserved when the other fails).
        var grantRead = runs.GrantedItemIdsAsync(run, registrableDomain, ct);
        var domainRead = cache.ByDomainAsync(run.AccountId, registrableDomain, ct);
        await Task.WhenAll(grantRead, domainRead).ConfigureAwait(false);
        var granted = await grantRead.ConfigureAwait(false);
        if (granted.Count == 0)
        {
            return [];
        }

        var grantedSet = granted.ToHashSet(StringComparer.Ordinal);
        var complete = (await domainRead.ConfigureAwait(false))
            .Where(s => grantedSet.Contains(s.Item.ItemId) && s.SealedSecrets is not null).ToList();
        var byId = grantedSet.Except(complete.Select(s => s.Item.ItemId)).ToList();
        complete.AddRange(await cache.GetManyAsync(run.AccountId, byId, ct).ConfigureAwait(false));
        return complete;
    }

    private async Task<List<CachedItem>> ResolveExplicitAsync(string accountId, List<string> ids, CancellationToken ct)
    {
        var found = (await cache.GetManyAsync(accountId, ids, ct).ConfigureAwait(false)).Where(s => s.Item.Enabled)
            .ToDictionary(s => s.Item.ItemId, s => s.Item, StringComparer.Ordinal);
        var granted = ids.Where(found.ContainsKey).Select(id => found[id]).ToList();
        var offenders = ids.Where(id => !found.ContainsKey(id)).ToList();

        if (offenders.Count > 0)
        {
            throw new ApiException(ErrorCodes.UnknownCredentialItem,
                "Unknown or disabled credential items: " + string.Join(", ", offenders.Select(o => o.Length > 120 ? o[..120] + "…" : o)));
        }

        return granted;
    }

    private static GrantedCredential ToGranted(CachedItem item) => new(item.ItemId, item.Data.Label, item.Data.Username, item.Data.Domains);
}
