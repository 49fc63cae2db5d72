using System.Text.Json;
using Vault.Core.Providers.Keeper.Api;
using Vault.Core.Providers.Keeper.Crypto;
using Vault.Core.Snapshots;

namespace Vault.Core.Providers.Keeper.Records;

/// <summary>
/// <c>get_secret</c>'s answer to login items, with the key chain the SDK uses (docs/keeper-protocol.md §5): records shared
/// with the application directly have their record key under the app key; each shared folder's key is under the app
/// key and its records' keys under it; record data is AES-GCM under the record key, folder data AES-CBC under the
/// folder key. A record or folder that does not decrypt is skipped (as the SDK skips it) and counted.
/// </summary>
internal sealed class SecretsDecryptor(byte[] appKey, ProviderLimits limits)
{
    /// <summary>The vault id of records shared with the application directly (not through a folder).</summary>
    public const string ApplicationVaultId = "app";

    private readonly JsonSerializerOptions _options = new(KeeperJson.Default.Options) { MaxDepth = limits.MaxJsonDepth };

    public int Skipped { get; private set; }

    public int FolderCount { get; private set; }

    public SecretsResponse Parse(byte[] plaintext) => Deserialize(plaintext, KeeperJson.Default.SecretsResponse) ?? new SecretsResponse();

    /// <summary>The application's title (its <c>appData</c>), or null.</summary>
    public string? ApplicationTitle(SecretsResponse response)
    {
        try
        {
            return response.AppData is null ? null
                : Deserialize(KeeperCrypto.Decrypt(KeeperBase64.Decode(response.AppData), appKey, "the application data"), KeeperJson.Default.NamedData)?.Title;
        }
        catch (KeeperCryptoException)
        {
            return null;
        }
    }

    public List<ProviderItem> Items(SecretsResponse response, string applicationName)
    {
        var total = (response.Records?.Count ?? 0) + (response.Folders ?? []).Sum(f => f.Records?.Count ?? 0);
        if (total > limits.MaxItems)
        {
            throw new ProviderResponseTooLargeException($"more than {limits.MaxItems} items");
        }

        var items = new List<ProviderItem>();
        var seen = new HashSet<(string, string)>();
        foreach (var record in response.Records ?? [])
        {
            Add(items, seen, ApplicationVaultId, applicationName, record, appKey);
        }

        foreach (var folder in response.Folders ?? [])
        {
            FolderCount++;
            byte[] folderKey;
            try
            {
                folderKey = KeeperCrypto.Decrypt(KeeperBase64.Decode(folder.FolderKey), appKey, "a folder key");
            }
            catch (KeeperCryptoException)
            {
                Skipped += 1 + (folder.Records?.Count ?? 0);
                continue;
            }

            var name = FolderName(folder, folderKey);
            foreach (var record in folder.Records ?? [])
            {
                Add(items, seen, folder.FolderUid ?? ApplicationVaultId, name, record, folderKey);
            }
        }

        return items;
    }

    private void Add(List<ProviderItem> items, HashSet<(string, string)> seen, string vaultId, string vaultName, SecretsRecord record, byte[] parentKey)
    {
        if (string.IsNullOrEmpty(record.RecordUid) || !seen.Add((vaultId, record.RecordUid)))
        {
            return;
        }

        try
        {
            var recordKey = KeeperCrypto.Decrypt(KeeperBase64.Decode(record.RecordKey), parentKey, "a record key");
            var data = Deserialize(KeeperCrypto.Decrypt(KeeperBase64.Decode(record.Data), recordKey, "a record"), KeeperJson.Default.RecordData);
            if (data is null)
            {
                Skipped++;
                return;
            }

            items.Add(RecordMapper.ToItem(vaultId, vaultName, record.RecordUid, data, limits.MaxFieldsPerItem));
        }
        catch (Exception ex) when (ex is KeeperCryptoException or JsonException && !IsDepth(ex))
        {
            Skipped++;
        }
    }

    /// <summary>The folder's name from its data (AES-CBC under its key, as <c>get_folders</c> carries it), else a fixed name.</summary>
    private string FolderName(SecretsFolder folder, byte[] folderKey)
    {
        try
        {
            return folder.Data is null ? "Shared folder"
                : Deserialize(KeeperCrypto.DecryptCbc(KeeperBase64.Decode(folder.Data), folderKey, "a folder's data"), KeeperJson.Default.NamedData)?.Name ?? "Shared folder";
        }
        catch (Exception ex) when (ex is KeeperCryptoException or JsonException && !IsDepth(ex))
        {
            return "Shared folder";
        }
    }

    private T? Deserialize<T>(byte[] json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        try
        {
            return JsonSerializer.Deserialize(json, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)_options.GetTypeInfo(type.Type));
        }
        catch (JsonException ex) when (IsDepth(ex))
        {
            throw new ProviderResponseTooLargeException($"JSON nested deeper than {limits.MaxJsonDepth} levels");
        }
    }

    private static bool IsDepth(Exception ex) => ex is JsonException && ex.Message.Contains("depth", StringComparison.OrdinalIgnoreCase);
}
