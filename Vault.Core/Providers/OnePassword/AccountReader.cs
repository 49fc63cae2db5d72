using Vault.Core.Providers.OnePassword.Api;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Items;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.OnePassword;

/// <summary>The logins of every vault as their overviews give them, with each item's version.</summary>
internal sealed record LoginListing(List<ProviderItem> Items, int VaultCount);

/// <summary>How a round of detail reads ended: the details read by item key, and what stopped it early, if anything.</summary>
internal sealed record DetailsRead(Dictionary<string, ProviderItemDetails> Details, Exception? StoppedBy);

/// <summary>
/// The read requests after sign-in, in the SDK's order (docs/onepassword-protocol.md §5): vault list (with access), keysets, one
/// overview list per vault (each followed through its batches), then <c>items.get</c> of single items; a single item's
/// details in a session that has not opened its vault need the vault (with access) and keysets first.
/// </summary>
internal sealed class AccountReader(OnePasswordSession session, Keychain keychain)
{
    /// <summary>Batches of one vault's overview list followed at most: a server that never completes is not followed forever.</summary>
    internal const int MaxOverviewBatches = 1000;

    /// <summary>The vaults the service account can read, each with its access record.</summary>
    public async Task<List<VaultDto>> ListVaultsAsync(CancellationToken ct)
    {
        var vaults = await session.GetAsync("/api/v1/vaults?attrs=combined-access", OnePasswordJson.Wire.ListVaultDto, "vault list", ct)
            .ConfigureAwait(false);
        for (var i = 0; i < vaults.Count; i++)
        {
            if (vaults[i].CombinedAccess is null && vaults[i].Uuid is { } id)
            {
                // As the SDK does when the list lacks a vault's access record.
                vaults[i] = await GetVaultAsync(id, ct).ConfigureAwait(false);
            }
        }

        return vaults;
    }

    /// <summary>
    /// One value for the state of every vault as the list shows it: which vaults, their content version (1Password moves
    /// it on every item change in the vault), attribute version (name), and the access record's version and key serial
    /// (sharing, key rotation). Equal values mean the overviews would answer as before. Null when a vault lacks a version.
    /// </summary>
    public static string? VersionOf(IEnumerable<VaultDto> vaults)
    {
        var lines = new List<string>();
        foreach (var vault in vaults)
        {
            if (vault.Uuid is null || vault.ContentVersion is null || vault.AttrVersion is null)
            {
                return null;
            }

            lines.Add(string.Join('|', vault.Uuid, vault.ContentVersion, vault.AttrVersion, vault.CombinedAccess?.AccessVersion, vault.CombinedAccess?.VaultKeySN));
        }

        lines.Sort(StringComparer.Ordinal);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));
        return Convert.ToHexStringLower(hash, 0, 16);
    }

    public async Task<LoginListing> ListLoginsAsync(List<VaultDto> vaults, CancellationToken ct)
    {
        await EnsureKeysetsAsync(vaults, ct).ConfigureAwait(false);

        var items = new List<ProviderItem>();
        foreach (var vault in vaults.OrderBy(v => v.Uuid, StringComparer.Ordinal))
        {
            var vaultId = vault.Uuid ?? throw new OnePasswordProtocolException("A vault has no id.");
            var vaultKey = keychain.VaultKey(vault);
            var attrs = Keychain.Open(vaultKey, vault.EncAttrs, OnePasswordJson.Wire.VaultAttrs, "vault attributes");
            await foreach (var item in OverviewsAsync(vaultId, ct).ConfigureAwait(false))
            {
                if (!ItemMapper.IsCandidate(item))
                {
                    continue;
                }

                var overview = Keychain.Open(vaultKey, item.EncOverview, OnePasswordJson.Wire.ItemOverview, "item overview");
                if (ItemMapper.ToProviderItem(vaultId, attrs.Name ?? string.Empty, item, overview) is { } login)
                {
                    items.Add(login);
                }
            }
        }

        return new LoginListing(items, vaults.Count);
    }

    /// <summary>
    /// One vault's item overviews. The SDK reads a single answer; should the server ever answer
    /// <c>batchComplete: false</c>, the next batch is asked for after the last item received (<c>?after=&lt;item id&gt;</c>,
    /// the form the fake server implements: 1Password's own paging parameter is not public), an item seen twice counts
    /// once, and an incomplete batch without items is an error rather than a loop.
    /// </summary>
    private async IAsyncEnumerable<ItemDto> OverviewsAsync(string vaultId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var path = $"/api/v1/vault/{Uri.EscapeDataString(vaultId)}/items/overviews";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? after = null;
        for (var batch = 1; ; batch++)
        {
            var answer = await session.GetAsync(after is null ? path : path + "?after=" + Uri.EscapeDataString(after),
                OnePasswordJson.Wire.OverviewsResponse, "item overviews", ct).ConfigureAwait(false);
            if (answer.ContentVersion is null || answer.BatchComplete is not { } complete)
            {
                throw new OnePasswordProtocolException("The item overviews answer is incomplete.");
            }

            foreach (var item in answer.Items ?? [])
            {
                if (item.Uuid is null || seen.Add(item.Uuid))
                {
                    yield return item;
                }
            }

            if (complete)
            {
                yield break;
            }

            after = answer.Items?.LastOrDefault()?.Uuid;
            if (after is null || batch >= MaxOverviewBatches)
            {
                throw new OnePasswordProtocolException("The item overviews never completed.");
            }
        }
    }

    /// <summary>
    /// <c>items.get</c> of each item in turn. An item that is gone or unreadable stays unread (its details stay pending);
    /// a 429, a 5xx or a timeout ends the round, keeping what was read: the rest is not worth spending requests on now.
    /// A 401 is left to the caller (a kept session that expired is renewed and the operation repeated).
    /// </summary>
    public async Task<DetailsRead> ReadDetailsAsync(IEnumerable<ProviderItem> items, CancellationToken ct)
    {
        var details = new Dictionary<string, ProviderItemDetails>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            try
            {
                details[ProviderContext.DetailsKey(item.VaultId, item.ProviderItemId)] =
                    await ReadItemAsync(item.VaultId, item.ProviderItemId, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OnePasswordNotFoundException or OnePasswordProtocolException or OnePasswordCryptoException)
            {
                continue;
            }
            catch (Exception ex) when (ex is OnePasswordThrottledException or ProviderUnavailableException)
            {
                return new DetailsRead(details, ex);
            }
        }

        return new DetailsRead(details, null);
    }

    public async Task<ProviderItemDetails> ReadItemAsync(string vaultId, string itemId, CancellationToken ct)
    {
        if (!keychain.TryGetVaultKey(vaultId, out var vaultKey))
        {
            var vault = await GetVaultAsync(vaultId, ct).ConfigureAwait(false);
            await EnsureKeysetsAsync([vault], ct).ConfigureAwait(false);
            vaultKey = keychain.VaultKey(vault);
        }

        var answer = await session.GetAsync($"/api/v1/vault/{Uri.EscapeDataString(vaultId)}/item/{Uri.EscapeDataString(itemId)}",
            OnePasswordJson.Wire.ItemResponse, "item", ct).ConfigureAwait(false);
        var item = answer.Item ?? throw new OnePasswordProtocolException("The item answer has no item.");
        if (item.Trashed == "Y")
        {
            throw new OnePasswordNotFoundException("item (it is archived)");
        }

        var details = Keychain.Open(vaultKey, item.EncDetails, OnePasswordJson.Wire.ItemDetails, "item details");
        var (username, secrets) = ItemMapper.FromDetails(item.TemplateUuid, details);
        return new ProviderItemDetails(username, secrets, ItemMapper.VersionOf(item));
    }

    /// <summary>Reads the keysets unless this session already has every keyset the vaults name.</summary>
    private async Task EnsureKeysetsAsync(IReadOnlyCollection<VaultDto> vaults, CancellationToken ct)
    {
        if (!keychain.HasKeysets || vaults.Any(v => !keychain.KnowsKeysetOf(v)))
        {
            keychain.AddKeysets(await session.GetAsync("/api/v2/account/keysets", OnePasswordJson.Wire.KeysetsResponse, "keysets", ct)
                .ConfigureAwait(false));
        }
    }

    private Task<VaultDto> GetVaultAsync(string vaultId, CancellationToken ct) =>
        session.GetAsync($"/api/v3/vault/{Uri.EscapeDataString(vaultId)}?attrs=combined-access", OnePasswordJson.Wire.VaultDto, "vault", ct);
}
