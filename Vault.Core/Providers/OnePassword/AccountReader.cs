using Vault.Core.Providers.OnePassword.Api;
using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Items;

namespace Vault.Core.Providers.OnePassword;

/// <summary>
/// The read requests after sign-in, in the SDK's order (ONEPASSWORD.md §5): vault list (with access), keysets, then one
/// overview list per vault; a single item's details need the vault (with access), keysets and the item.
/// </summary>
internal sealed class AccountReader(OnePasswordSession session, Keychain keychain)
{
    /// <param name="withDetails">Also read each login's details (username, password, TOTP): one request per item.</param>
    public async Task<(List<ProviderItem> Items, int VaultCount)> ReadLoginsAsync(bool withDetails, CancellationToken ct)
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

        await EnsureKeysetsAsync(vaults, ct).ConfigureAwait(false);

        var items = new List<ProviderItem>();
        foreach (var vault in vaults.OrderBy(v => v.Uuid, StringComparer.Ordinal))
        {
            var vaultId = vault.Uuid ?? throw new OnePasswordProtocolException("A vault has no id.");
            var vaultKey = keychain.VaultKey(vault);
            var attrs = Keychain.Open(vaultKey, vault.EncAttrs, OnePasswordJson.Wire.VaultAttrs, "vault attributes");
            var overviews = await session.GetAsync($"/api/v1/vault/{Uri.EscapeDataString(vaultId)}/items/overviews",
                OnePasswordJson.Wire.OverviewsResponse, "item overviews", ct).ConfigureAwait(false);
            if (overviews.ContentVersion is null || overviews.BatchComplete is null)
            {
                throw new OnePasswordProtocolException("The item overviews answer is incomplete.");
            }

            foreach (var item in overviews.Items ?? [])
            {
                if (!ItemMapper.IsCandidate(item))
                {
                    continue;
                }

                var overview = Keychain.Open(vaultKey, item.EncOverview, OnePasswordJson.Wire.ItemOverview, "item overview");
                if (ItemMapper.ToProviderItem(vaultId, attrs.Name ?? string.Empty, item, overview) is not { } login)
                {
                    continue;
                }

                if (withDetails)
                {
                    var (username, secrets) = await ReadDetailsAsync(vaultId, vaultKey, item.Uuid!, ct).ConfigureAwait(false);
                    login = login with { Username = username, Secrets = secrets, HasTotp = secrets.Totp is not null };
                }

                items.Add(login);
            }
        }

        return (items, vaults.Count);
    }

    public async Task<(string? Username, ItemSecrets Secrets)> ReadItemAsync(string vaultId, string itemId, CancellationToken ct)
    {
        if (!keychain.TryGetVaultKey(vaultId, out var vaultKey))
        {
            var vault = await GetVaultAsync(vaultId, ct).ConfigureAwait(false);
            await EnsureKeysetsAsync([vault], ct).ConfigureAwait(false);
            vaultKey = keychain.VaultKey(vault);
        }

        return await ReadDetailsAsync(vaultId, vaultKey, itemId, ct).ConfigureAwait(false);
    }

    private async Task<(string? Username, ItemSecrets Secrets)> ReadDetailsAsync(string vaultId, byte[] vaultKey, string itemId, CancellationToken ct)
    {
        var answer = await session.GetAsync($"/api/v1/vault/{Uri.EscapeDataString(vaultId)}/item/{Uri.EscapeDataString(itemId)}",
            OnePasswordJson.Wire.ItemResponse, "item", ct).ConfigureAwait(false);
        var item = answer.Item ?? throw new OnePasswordProtocolException("The item answer has no item.");
        if (item.Trashed == "Y")
        {
            throw new OnePasswordNotFoundException("item (it is archived)");
        }

        var details = Keychain.Open(vaultKey, item.EncDetails, OnePasswordJson.Wire.ItemDetails, "item details");
        return ItemMapper.FromDetails(item.TemplateUuid, details);
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
