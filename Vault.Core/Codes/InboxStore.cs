using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Codes;

/// <summary>
/// How a message finds its run, in Table Storage: a run's e-mail address (an unguessable local part) points at the run;
/// an account's SMS number points at the account, whose live runs that asked for SMS codes are listed under it; and
/// each run's inbox row says what it has. Mailgun's request tokens are kept here too, so a replayed request is refused.
/// </summary>
public sealed class InboxStore(Tables tables)
{
    // Each address and each replay token hash its own partition (or one of 256): a shared partition for every run's
    // address would cap run creation service-wide near Azure's 2,000 entities a second per partition.
    private static string EmailPartition(string localPart) => "email|" + localPart;
    private static string ReplayPartition(string tokenHash) => "mailgun-token|" + tokenHash[..2];

    /// <summary>Where rows were kept before they had partitions of their own: still read, for runs created before.</summary>
    private const string LegacyEmailPartition = "email";
    private const string LegacyReplayPartition = "mailgun-token";

    private const string SmsPartition = "sms";
    private static string RunPartition(string runId) => "run|" + runId;
    private static string SmsRunsPartition(string accountId) => "smsruns|" + accountId;
    private static string NumberOfPartition(string accountId) => "numberof|" + accountId;

    /// <summary>A new address for the run: <c>run-</c> and 100 random bits, so addresses cannot be guessed.</summary>
    public static string NewLocalPart() => "run-" + Ids.RandomBase32(13);

    public async Task AddRunAsync(string accountId, string runId, string? localPart, bool smsCodes, DateTimeOffset expiresAt, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        if (localPart is not null)
        {
            await table.AddEntityAsync(new TableEntity(EmailPartition(localPart), localPart) { ["RunId"] = runId, ["AccountId"] = accountId, ["ExpiresAt"] = expiresAt }, ct)
                .ConfigureAwait(false);
        }

        if (smsCodes)
        {
            await table.UpsertEntityAsync(new TableEntity(SmsRunsPartition(accountId), runId) { ["ExpiresAt"] = expiresAt }, TableUpdateMode.Replace, ct)
                .ConfigureAwait(false);
        }

        await table.AddEntityAsync(new TableEntity(RunPartition(runId), "inbox")
        {
            ["AccountId"] = accountId, ["LocalPart"] = localPart, ["SmsCodes"] = smsCodes, ["ExpiresAt"] = expiresAt,
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The run's inbox row: its address local part and whether it takes SMS codes; null when it has none.</summary>
    public async Task<(string? LocalPart, bool SmsCodes, string AccountId)?> GetRunAsync(string runId, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(RunPartition(runId), "inbox", cancellationToken: ct).ConfigureAwait(false);
        return row.HasValue ? (row.Value!.GetString("LocalPart"), row.Value.GetBoolean("SmsCodes") ?? false, row.Value.GetString("AccountId")) : null;
    }

    /// <summary>The run an address belongs to, while it lives.</summary>
    public async Task<string?> RunOfAddressAsync(string localPart, DateTimeOffset now, CancellationToken ct)
    {
        if (localPart.Length > 64 || localPart.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz234567-") >= 0)
        {
            return null;
        }

        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(EmailPartition(localPart), localPart, cancellationToken: ct).ConfigureAwait(false);
        if (!row.HasValue)
        {
            row = await table.GetEntityIfExistsAsync<TableEntity>(LegacyEmailPartition, localPart, cancellationToken: ct).ConfigureAwait(false);
        }

        return row.HasValue && (row.Value!.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue) > now ? row.Value.GetString("RunId") : null;
    }

    /// <summary>Removes the run's address and its place among the account's SMS runs (a revoke).</summary>
    public async Task DropRunAsync(string runId, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        if (await GetRunAsync(runId, ct).ConfigureAwait(false) is not { } inbox)
        {
            return;
        }

        if (inbox.LocalPart is { } localPart)
        {
            await table.DeleteEntityAsync(EmailPartition(localPart), localPart, ETag.All, ct).ConfigureAwait(false);
            await table.DeleteEntityAsync(LegacyEmailPartition, localPart, ETag.All, ct).ConfigureAwait(false);
        }

        await table.DeleteEntityAsync(SmsRunsPartition(inbox.AccountId), runId, ETag.All, ct).ConfigureAwait(false);
        await table.DeleteEntityAsync(RunPartition(runId), "inbox", ETag.All, ct).ConfigureAwait(false);
    }

    public async Task SetNumberAsync(string accountId, string number, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var existing = await table.GetEntityIfExistsAsync<TableEntity>(SmsPartition, number, cancellationToken: ct).ConfigureAwait(false);
        if (existing.HasValue && existing.Value!.GetString("AccountId") != accountId)
        {
            throw new Errors.InvalidCommandException(Errors.CommandParameters.PhoneNumber, "is assigned to another account.", Errors.InputProblemKind.NotAllowed);
        }

        if (await NumberOfAsync(accountId, ct).ConfigureAwait(false) is { } previous && previous != number)
        {
            await table.DeleteEntityAsync(SmsPartition, previous, ETag.All, ct).ConfigureAwait(false);
        }

        await table.UpsertEntityAsync(new TableEntity(SmsPartition, number) { ["AccountId"] = accountId }, TableUpdateMode.Replace, ct).ConfigureAwait(false);
        await table.UpsertEntityAsync(new TableEntity(NumberOfPartition(accountId), "number") { ["Number"] = number }, TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    /// <summary>Removes the account's number; false when it had none.</summary>
    public async Task<bool> DeleteNumberAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        if (await NumberOfAsync(accountId, ct).ConfigureAwait(false) is not { } number)
        {
            return false;
        }

        await table.DeleteEntityAsync(SmsPartition, number, ETag.All, ct).ConfigureAwait(false);
        await table.DeleteEntityAsync(NumberOfPartition(accountId), "number", ETag.All, ct).ConfigureAwait(false);
        return true;
    }

    public async Task<string?> NumberOfAsync(string accountId, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(NumberOfPartition(accountId), "number", cancellationToken: ct).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetString("Number") : null;
    }

    public async Task<string?> AccountOfNumberAsync(string number, CancellationToken ct)
    {
        if (number.Length > 20)
        {
            return null;
        }

        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(SmsPartition, number, cancellationToken: ct).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetString("AccountId") : null;
    }

    /// <summary>The account's live runs that asked for SMS codes (expired entries are removed as they are seen).</summary>
    public async Task<List<string>> SmsRunsAsync(string accountId, DateTimeOffset now, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var live = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {SmsRunsPartition(accountId)}"), maxPerPage: 1000,
            cancellationToken: ct).ConfigureAwait(false))
        {
            if ((row.GetDateTimeOffset("ExpiresAt") ?? DateTimeOffset.MinValue) > now)
            {
                live.Add(row.RowKey);
            }
            else
            {
                await table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct).ConfigureAwait(false);
            }
        }

        return live;
    }

    /// <summary>Records a Mailgun request token; false when it was seen before (a replay).</summary>
    public async Task<bool> TryUseTokenAsync(string token, DateTimeOffset now, CancellationToken ct)
    {
        var table = await tables.InboxAsync(ct).ConfigureAwait(false);
        var hash = Ids.HashSecret(token);
        // A token seen in the 5 minutes before the upgrade sits in the old shared partition.
        if ((await table.GetEntityIfExistsAsync<TableEntity>(LegacyReplayPartition, hash, ["PartitionKey"], ct).ConfigureAwait(false)).HasValue)
        {
            return false;
        }

        try
        {
            await table.AddEntityAsync(new TableEntity(ReplayPartition(hash), hash) { ["SeenAt"] = now }, ct).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }
}
