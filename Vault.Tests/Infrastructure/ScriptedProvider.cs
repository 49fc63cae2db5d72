using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Vault.Core.Domains;
using Vault.Core.Errors;
using Vault.Core.Providers;
using Vault.Core.Snapshots;

namespace Vault.Tests.Infrastructure;

/// <summary>How a scripted account answers the next reads.</summary>
public enum ScriptedMode
{
    Ok,
    RejectCredentials,
    Unavailable,
    Throttled,
}

/// <summary>One password-manager account behind the scripted provider: its items and how it behaves.</summary>
public sealed class ScriptedAccount
{
    public List<ProviderItem> Items { get; } = [];
    public ScriptedMode Mode { get; set; } = ScriptedMode.Ok;
    public string Label { get; set; } = "alice@example.com";
    public TimeSpan Delay { get; set; }

    /// <summary>When set, a vault read signals <see cref="ReadStarted"/> and then waits for it: a sync held in the middle.</summary>
    /// <remarks><see cref="ReadStarted"/> counts only reads that reached the gate.</remarks>
    public TaskCompletionSource? Gate { get; set; }

    public SemaphoreSlim ReadStarted { get; } = new(0);

    /// <summary>Answer the stored secret back as refreshed (as a provider with a session to keep does), so syncs write it.</summary>
    public bool RefreshSecret { get; set; }
    public int Reads;
    public int SecretReads;
}

/// <summary>
/// A provider driven by the tests, standing in for a real one of the same kind (registered last, it replaces it).
/// Validates input like the contract says for its kind, and answers from <see cref="Accounts"/> keyed by identity.
/// </summary>
public sealed partial class ScriptedProvider(string kind, bool secretsIncluded = true) : IVaultProvider
{
    public string Kind { get; } = kind;

    public ConcurrentDictionary<string, ScriptedAccount> Accounts { get; } = new(StringComparer.Ordinal);

    public ScriptedAccount Account(string identity) => Accounts.GetOrAdd(identity, _ => new ScriptedAccount());

    public ProviderCredentials ParseCredentials(ConnectInput input)
    {
        if (Kind == "1password")
        {
            if (string.IsNullOrEmpty(input.Token) || !input.Token.StartsWith("ops_", StringComparison.Ordinal))
            {
                throw new InvalidCommandException(nameof(ConnectInput.Token), "must be a 1Password service account token starting with ops_.");
            }

            return new ProviderCredentials(input.Token[4..Math.Min(input.Token.Length, 20)], null, input.Token);
        }

        if (input.ClientId is null || !ClientIdPattern().IsMatch(input.ClientId))
        {
            throw new InvalidCommandException(nameof(ConnectInput.ClientId), "must have the form user.xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.");
        }

        if (string.IsNullOrEmpty(input.ClientSecret))
        {
            throw new InvalidCommandException(nameof(ConnectInput.ClientSecret), "is required.");
        }

        if (string.IsNullOrEmpty(input.MasterPassword))
        {
            throw new InvalidCommandException(nameof(ConnectInput.MasterPassword), "is required.");
        }

        var server = input.ServerUrl is null ? null : Vault.Core.Providers.Network.ProviderEndpoint.ParseBaseUrl(nameof(ConnectInput.ServerUrl), input.ServerUrl, false).ToString().TrimEnd('/');
        return new ProviderCredentials(input.ClientId.ToLowerInvariant() + "|" + server, server, input.ClientId.ToLowerInvariant() + "\n" + input.ClientSecret + "\n" + input.MasterPassword);
    }

    public async Task<VaultSnapshot> ReadVaultAsync(ProviderContext context, CancellationToken cancellationToken)
    {
        var account = Account(IdentityOf(context.Credentials.Secret));
        Interlocked.Increment(ref account.Reads);
        if (account.Gate is { } gate)
        {
            account.ReadStarted.Release();
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (account.Delay > TimeSpan.Zero)
        {
            await Task.Delay(account.Delay, cancellationToken);
        }

        Fail(account);
        var items = account.Items.Select(i => secretsIncluded ? i : i with { Secrets = null }).ToList();
        return new VaultSnapshot(account.Label, items, account.RefreshSecret ? context.Credentials.Secret : null);
    }

    public Task<ProviderItemDetails> ReadItemDetailsAsync(ProviderContext context, string vaultId, string providerItemId, CancellationToken cancellationToken)
    {
        var account = Account(IdentityOf(context.Credentials.Secret));
        Interlocked.Increment(ref account.SecretReads);
        Fail(account);
        var item = account.Items.FirstOrDefault(i => i.VaultId == vaultId && i.ProviderItemId == providerItemId)
            ?? throw new ProviderUnavailableException("The item is no longer in the vault.");
        return Task.FromResult(new ProviderItemDetails(item.Username, item.Secrets ?? new ItemSecrets(null, null), item.Version));
    }

    /// <summary>The scripted account behind stored credentials: the token's start, or the Bitwarden client id.</summary>
    private string IdentityOf(string secret) => Kind == "1password" ? secret[4..Math.Min(secret.Length, 20)] : secret.Split('\n')[0];

    private static void Fail(ScriptedAccount account)
    {
        switch (account.Mode)
        {
            case ScriptedMode.RejectCredentials:
                throw new ProviderRejectedCredentialsException("rejected");
            case ScriptedMode.Unavailable:
                throw new ProviderUnavailableException("provider down");
            case ScriptedMode.Throttled:
                throw new ProviderUnavailableException("throttled", TimeSpan.FromSeconds(42));
        }
    }

    [GeneratedRegex("^user\\.[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex ClientIdPattern();
}

public static class ScriptedItems
{
    public static ProviderItem Login(string id, string label, string url, string vault = "My Vault", string? username = "alice@example.com",
        string password = "pw-secret", string? totp = null, string vaultId = "personal", UriMatch match = UriMatch.Default, params string[] moreUrls) =>
        new(vaultId, vault, id, label, username,
            new[] { new ProviderUri(url, match) }.Concat(moreUrls.Select(u => new ProviderUri(u))).ToList(),
            new ItemSecrets(password, totp), totp is not null, DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));
}
