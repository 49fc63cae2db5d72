using Vault.Client;
using Vault.Client.Models;

namespace Vault.Cli;

/// <summary>What each command does: one SDK call, then a table or the JSON answer. Failures go through <see cref="Fail"/>.</summary>
internal sealed class Commands(CliIo io, HttpClient? httpClient)
{
    private VaultClient Client(CliConfig? config = null)
    {
        config ??= CliConfig.Load(io);
        return VaultApi.Create(new Uri(config.Url), config.ApiKey, httpClient);
    }

    /// <summary>Runs a call; an API error or an unreachable service becomes "error CODE: message" and its exit code.</summary>
    private async Task<int> Guard(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (VaultError.From(ex) is { } error)
        {
            return Fail(error.Code, error.Message, ExitCodes.ForStatus(error.Status));
        }
        catch (TaskCanceledException)
        {
            return Fail(VaultError.Unreachable, "The Vault service did not answer in time", ExitCodes.Unavailable);
        }
        catch (UriFormatException)
        {
            return Fail("INVALID_URL", "VAULT_URL is not a URL", ExitCodes.Usage);
        }
        catch (ArgumentException ex) when (ex.ParamName == "baseUrl")
        {
            return Fail("INSECURE_URL", "VAULT_URL must be https (plain http only on this machine): a key sent over http can be read on the way", ExitCodes.Usage);
        }
    }

    private int Fail(string code, string message, int exitCode)
    {
        io.Err.WriteLine($"error {code}: {message}");
        return exitCode;
    }

    private string? Secret(string prompt) => io.ReadSecret(prompt)?.Trim();

    public Task<int> LoginAsync(string? url, CancellationToken ct) => Guard(async () =>
    {
        var current = CliConfig.Load(io);
        var key = Secret("API key");
        if (string.IsNullOrEmpty(key))
        {
            return Fail("USAGE", "no API key given (one line on stdin, or typed at the prompt)", ExitCodes.Usage);
        }

        var config = new CliConfig(url ?? current.Url, key);
        await Client(config).V1.Vault.Connections.GetAsync(cancellationToken: ct); // a wrong key is refused before it is saved
        config.Save(io);
        io.Out.WriteLine($"Logged in to {config.Url}; saved in {CliConfig.FilePath(io)}");
        return ExitCodes.Success;
    });

    public Task<int> ConnectOnePasswordAsync(bool json, CancellationToken ct) => Guard(async () =>
    {
        var token = Secret("1Password service account token");
        if (string.IsNullOrEmpty(token))
        {
            return Fail("USAGE", "no token given (one line on stdin, or typed at the prompt)", ExitCodes.Usage);
        }

        return await ConnectAsync(new ConnectRequest { Provider = ConnectRequest_provider.Onepassword, Token = token }, json, ct);
    });

    /// <summary>Keeper Secrets Manager: a one-time access token (or a bound device's base64 configuration), never on the command line.</summary>
    public Task<int> ConnectKeeperAsync(bool json, CancellationToken ct) => Guard(async () =>
    {
        var token = Secret("Keeper one-time access token (US:…, EU:…) or base64 configuration");
        if (string.IsNullOrEmpty(token))
        {
            return Fail("USAGE", "no token given (one line on stdin, or typed at the prompt)", ExitCodes.Usage);
        }

        return await ConnectAsync(new ConnectRequest { Provider = ConnectRequest_provider.Keeper, Token = token }, json, ct);
    });

    public Task<int> ConnectBitwardenAsync(string clientId, string? serverUrl, string? region, FileInfo? caFile, bool json, CancellationToken ct) => Guard(async () =>
    {
        string? ca = null;
        if (caFile is not null)
        {
            if (!caFile.Exists)
            {
                return Fail("USAGE", $"--ca-file {caFile.FullName} does not exist", ExitCodes.Usage);
            }

            ca = await File.ReadAllTextAsync(caFile.FullName, ct);
        }

        var secret = Secret("Client secret");
        var password = Secret("Master password");
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(password))
        {
            return Fail("USAGE", "give the client secret, then the master password (two lines on stdin, or typed at the prompts)", ExitCodes.Usage);
        }

        return await ConnectAsync(new ConnectRequest
        {
            Provider = ConnectRequest_provider.Bitwarden,
            ClientId = clientId,
            ClientSecret = secret,
            MasterPassword = password,
            ServerUrl = serverUrl,
            Region = region,
            ServerCaCertificate = ca,
        }, json, ct);
    });

    private async Task<int> ConnectAsync(ConnectRequest request, bool json, CancellationToken ct)
    {
        io.Err.WriteLine("Connecting and running the first sync…");
        var connection = (await Client().V1.Vault.Connections.PostAsync(request, cancellationToken: ct))!;
        if (json)
        {
            await Output.JsonAsync(io, connection);
            return ExitCodes.Success;
        }

        io.Out.WriteLine($"Connected {connection.ConnectionId} ({VaultCli.Wire(connection.Provider)}, {connection.Label}): "
            + $"{connection.ItemCount} items in {string.Join(", ", connection.Vaults ?? [])}");
        return ExitCodes.Success;
    }

    public Task<int> ConnectionsAsync(bool json, CancellationToken ct) => Guard(async () =>
    {
        var answer = (await Client().V1.Vault.Connections.GetAsync(cancellationToken: ct))!;
        if (json)
        {
            await Output.JsonAsync(io, answer);
            return ExitCodes.Success;
        }

        var list = answer.Connections ?? [];
        if (list.Count == 0)
        {
            io.Out.WriteLine("No connections. Connect one with 'vault connect 1password', 'vault connect keeper' or 'vault connect bitwarden --client-id …'.");
            return ExitCodes.Success;
        }

        Output.Table(io, ["CONNECTION", "PROVIDER", "STATUS", "LABEL", "ITEMS", "LAST SYNC", "LAST ERROR"], list.Select(c => (IReadOnlyList<string>)
        [
            c.ConnectionId ?? "", VaultCli.Wire(c.Provider), VaultCli.Wire(c.Status), c.Label ?? "", (c.ItemCount ?? 0).ToString(),
            Output.Time(c.LastSyncedAt), c.LastError is null ? "" : VaultCli.Wire(c.LastError.Code),
        ]));
        return ExitCodes.Success;
    });

    public Task<int> DisconnectAsync(string connectionId, bool json, CancellationToken ct) => Guard(async () =>
    {
        var answer = (await Client().V1.Vault.Connections[connectionId].DeleteAsync(cancellationToken: ct))!;
        if (json)
        {
            await Output.JsonAsync(io, answer);
        }
        else
        {
            io.Out.WriteLine($"Disconnected {answer.ConnectionId ?? connectionId}: its credentials and cached items are deleted.");
        }

        return ExitCodes.Success;
    });

    public Task<int> ItemsAsync(string? domain, string? vault, string? connectionId, bool json, CancellationToken ct) => Guard(async () =>
    {
        var client = Client();
        var all = new List<Item>();
        ItemList? first = null;
        string? pageToken = null;
        do
        {
            var page = (await client.V1.Vault.Items.GetAsync(r =>
            {
                r.QueryParameters.Domain = domain;
                r.QueryParameters.Vault = vault;
                r.QueryParameters.ConnectionId = connectionId;
                r.QueryParameters.Limit = 1000;
                r.QueryParameters.PageToken = pageToken;
            }, ct))!;
            first ??= page;
            all.AddRange(page.Items ?? []);
            pageToken = page.NextPageToken;
        }
        while (pageToken is not null);

        if (json)
        {
            first!.Items = all; // every page in one answer
            first.NextPageToken = null;
            await Output.JsonAsync(io, first);
            return ExitCodes.Success;
        }

        if (all.Count == 0)
        {
            io.Out.WriteLine("No items" + (domain is null ? "." : $" for {domain}."));
            return ExitCodes.Success;
        }

        foreach (var group in all.GroupBy(i => i.VaultName ?? ""))
        {
            io.Out.WriteLine($"{group.Key} ({group.Count()} items)");
            Output.Table(io, ["ITEM", "LABEL", "USERNAME", "DOMAINS", "TOTP", "ENABLED"], group.Select(i => (IReadOnlyList<string>)
            [
                i.ItemId ?? "", i.Label ?? "", i.Username ?? "", string.Join(",", i.Domains ?? []), i.HasTotp == true ? "yes" : "",
                i.Enabled == false ? "no" : "yes",
            ]), indent: "  ");
            io.Out.WriteLine();
        }

        return ExitCodes.Success;
    });

    public Task<int> SyncAsync(string? connectionId, bool json, CancellationToken ct) => Guard(async () =>
    {
        var call = Client().V1.Vault.Items.Sync.PostAsync(
            new SyncRequest { ConnectionId = connectionId }, cancellationToken: ct);
        io.Err.Write(connectionId is null ? "Syncing every connection…" : $"Syncing {connectionId}…");
        if (io.Interactive)
        {
            // A live timer while the providers are read (a first Bitwarden sync with Argon2 takes seconds).
            var started = DateTime.UtcNow;
            while (await Task.WhenAny(call, Task.Delay(250, ct)) != call)
            {
                io.Err.Write($"\rSyncing… {(DateTime.UtcNow - started).TotalSeconds:0}s");
            }
        }

        SyncResult result;
        try
        {
            result = (await call)!;
        }
        finally
        {
            io.Err.WriteLine();
        }

        if (json)
        {
            await Output.JsonAsync(io, result);
            return ExitCodes.Success;
        }

        var summary = result.SyncSummary;
        io.Out.WriteLine($"Synced: {summary?.Added ?? 0} added, {summary?.Updated ?? 0} updated, {summary?.Removed ?? 0} removed, "
            + $"{summary?.SkippedDisabled ?? 0} disabled kept; {result.Items?.Count ?? 0} items in the cache");
        Output.Table(io, ["CONNECTION", "STATUS", "ITEMS", "ERROR"], (result.Connections ?? []).Select(c => (IReadOnlyList<string>)
        [
            c.ConnectionId ?? "", VaultCli.Wire(c.Status), (c.ItemCount ?? 0).ToString(), c.Error is null ? "" : $"{VaultCli.Wire(c.Error.Code)}: {c.Error.Message}",
        ]));
        return ExitCodes.Success;
    });

    public Task<int> SetEnabledAsync(string itemId, bool enabled, bool json, CancellationToken ct) => Guard(async () =>
    {
        var item = (await Client().V1.Vault.Items[itemId].PatchAsync(
            new PatchItemRequest { Enabled = enabled }, cancellationToken: ct))!;
        if (json)
        {
            await Output.JsonAsync(io, item);
        }
        else
        {
            io.Out.WriteLine($"{(item.Enabled == true ? "Enabled" : "Disabled")} {item.ItemId} ({item.Label})");
        }

        return ExitCodes.Success;
    });

    public Task<int> CreateRunAsync(string url, string[] itemIds, bool useVault, string? goal, bool json, CancellationToken ct) => Guard(async () =>
    {
        var run = (await Client().V1.Runs.PostAsync(new CreateRunRequest
        {
            Url = url,
            Goal = goal,
            UseVault = useVault ? true : null,
            CredentialItemIds = itemIds.Length > 0 ? [.. itemIds] : null,
        }, cancellationToken: ct))!;
        if (json)
        {
            await Output.JsonAsync(io, run);
            return ExitCodes.Success;
        }

        io.Out.WriteLine($"Run {run.RunId} created for {run.Url}, expires {Output.Time(run.ExpiresAt)} UTC");
        io.Out.WriteLine($"Run token (shown once, keep it): {run.RunToken}");
        if (run.Credentials is { Count: > 0 } granted)
        {
            Output.Table(io, ["GRANTED ITEM", "LABEL", "USERNAME", "DOMAINS"], granted.Select(c => (IReadOnlyList<string>)
                [c.ItemId ?? "", c.Label ?? "", c.Username ?? "", string.Join(",", c.Domains ?? [])]));
        }

        return ExitCodes.Success;
    });

    /// <summary>The run token: from a file, VAULT_RUN_TOKEN, or stdin / a prompt; never from an argument that <c>ps</c> shows.</summary>
    private string? RunToken(FileInfo? tokenFile)
    {
        if (tokenFile is not null)
        {
            return File.ReadLines(tokenFile.FullName).FirstOrDefault()?.Trim();
        }

        return io.Environment("VAULT_RUN_TOKEN") is { Length: > 0 } fromEnvironment ? fromEnvironment.Trim() : Secret("Run token");
    }

    public Task<int> RunCredentialsAsync(string runId, FileInfo? tokenFile, string? domain, bool json, CancellationToken ct) => Guard(async () =>
    {
        var token = RunToken(tokenFile);
        if (string.IsNullOrEmpty(token))
        {
            return Fail("USAGE", "no run token given (--token-file, VAULT_RUN_TOKEN, one line on stdin, or typed at the prompt)", ExitCodes.Usage);
        }

        var config = CliConfig.Load(io);
        var client = VaultApi.CreateForRun(new Uri(config.Url), token, httpClient);
        var answer = (await client.V1.Runs[runId].Credentials.GetAsync(r => r.QueryParameters.Domain = domain, ct))!;
        if (json)
        {
            await Output.JsonAsync(io, answer);
            return ExitCodes.Success;
        }

        Output.Table(io, ["ITEM", "LABEL", "USERNAME", "PASSWORD", "TOTP"], (answer.Credentials ?? []).Select(c => (IReadOnlyList<string>)
            [c.ItemId ?? "", c.Label ?? "", c.Username ?? "", c.Password ?? "", c.Totp?.Code ?? ""]));
        return ExitCodes.Success;
    });

    /// <summary>
    /// The run's codes after <paramref name="after"/> (all kept ones without it); with <paramref name="waitSeconds"/>,
    /// long-polls (30 s a call, the service's most) until one arrives or the time is up.
    /// </summary>
    public Task<int> RunCodesAsync(string runId, FileInfo? tokenFile, int waitSeconds, string? after, bool json, CancellationToken ct) => Guard(async () =>
    {
        var token = RunToken(tokenFile);
        if (string.IsNullOrEmpty(token))
        {
            return Fail("USAGE", "no run token given (--token-file, VAULT_RUN_TOKEN, one line on stdin, or typed at the prompt)", ExitCodes.Usage);
        }

        var codes = VaultApi.CreateForRun(new Uri(CliConfig.Load(io).Url), token, httpClient).V1.Runs[runId].Codes;
        var deadline = DateTimeOffset.UtcNow.AddSeconds(waitSeconds);
        RunCodes page;
        do
        {
            var wait = (int)Math.Clamp(Math.Ceiling((deadline - DateTimeOffset.UtcNow).TotalSeconds), 0, 30);
            page = (await codes.GetAsync(r =>
            {
                r.QueryParameters.Wait = wait;
                r.QueryParameters.After = after;
            }, ct))!;
            after = page.Cursor ?? after;
        }
        while ((page.Codes ?? []).Count == 0 && DateTimeOffset.UtcNow < deadline);

        if (json)
        {
            await Output.JsonAsync(io, page);
            return ExitCodes.Success;
        }

        if ((page.Codes ?? []).Count == 0)
        {
            io.Out.WriteLine(waitSeconds > 0 ? $"No codes arrived for run {runId} in {waitSeconds} s." : $"Run {runId} has no codes yet.");
        }
        else
        {
            Output.Table(io, ["RECEIVED (UTC)", "CHANNEL", "FROM", "CODE", "LINK"], page.Codes!.Select(c => (IReadOnlyList<string>)
                [Output.Time(c.ReceivedAt), VaultCli.Wire(c.Channel), c.From ?? "-", c.Code ?? "-", c.Link ?? "-"]));
        }

        io.Out.WriteLine($"Cursor (for --after): {page.Cursor}");
        return ExitCodes.Success;
    });

    public Task<int> RevokeRunAsync(string runId, CancellationToken ct) => Guard(async () =>
    {
        await Client().V1.Runs[runId].DeleteAsync(cancellationToken: ct);
        io.Out.WriteLine($"Run {runId} revoked: its token is refused from now on");
        return ExitCodes.Success;
    });

    public Task<int> RunAuditAsync(string runId, int? limit, bool json, CancellationToken ct) => Guard(async () =>
    {
        var entries = new List<RunAuditEntry>();
        string? pageToken = null;
        do
        {
            var page = (await Client().V1.Runs[runId].Audit.GetAsync(r =>
            {
                r.QueryParameters.Limit = limit is { } l ? Math.Min(l - entries.Count, 1000) : 1000;
                r.QueryParameters.PageToken = pageToken;
            }, ct))!;
            entries.AddRange(page.Entries ?? []);
            pageToken = page.NextPageToken;
        }
        while (pageToken is not null && (limit is null || entries.Count < limit));

        if (json)
        {
            await Output.JsonAsync(io, new RunAudit { Entries = entries });
            return ExitCodes.Success;
        }

        if (entries.Count == 0)
        {
            io.Out.WriteLine($"Run {runId} has read no credentials.");
            return ExitCodes.Success;
        }

        Output.Table(io, ["AT (UTC)", "DOMAIN", "ITEMS", "CALLER"], entries.Select(e => (IReadOnlyList<string>)
            [Output.Time(e.At), e.Domain ?? "-", (e.ItemIds ?? []).Count == 0 ? "-" : string.Join(",", e.ItemIds!), e.Caller ?? "-"]));
        return ExitCodes.Success;
    });

    public Task<int> UsageAsync(DateOnly? from, DateOnly? to, bool json, CancellationToken ct) => Guard(async () =>
    {
        var usage = (await Client().V1.Usage.GetAsync(r =>
        {
            r.QueryParameters.From = from is { } f ? new Microsoft.Kiota.Abstractions.Date(f.Year, f.Month, f.Day) : null;
            r.QueryParameters.To = to is { } t ? new Microsoft.Kiota.Abstractions.Date(t.Year, t.Month, t.Day) : null;
        }, ct))!;
        if (json)
        {
            await Output.JsonAsync(io, usage);
            return ExitCodes.Success;
        }

        var days = usage.Days ?? [];
        if (days.Count == 0)
        {
            io.Out.WriteLine("No billable calls in this period.");
            return ExitCodes.Success;
        }

        var max = days.Max(d => (long)(d.Calls ?? 0));
        var width = max.ToString().Length;
        foreach (var day in days)
        {
            io.Out.WriteLine($"{day.Date}  {(day.Calls ?? 0).ToString().PadLeft(width)}  {Output.Bar(day.Calls ?? 0, max)}");
        }

        io.Out.WriteLine($"{days.Sum(d => (long)(d.Calls ?? 0))} calls in {days.Count} days");
        return ExitCodes.Success;
    });
}
