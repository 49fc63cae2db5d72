using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;
using Vault.Core.Common;
using Vault.Core.Storage;

namespace Vault.Core.Codes;

/// <summary>
/// The key the codes are sealed under in the tables (AES-256-GCM), one for the service, in the secret store (Key Vault).
/// Read once per instance. Key Vault cannot create a secret only if it is absent, so instances starting together each
/// store a candidate under a name of their own and then race to insert one row naming theirs (an insert either
/// creates the row or fails): every instance uses the secret that row names, and the losers delete their candidate.
/// The row holds a secret's name, never key material.
/// </summary>
public sealed class CodeKey(ISecretStore secrets, Tables tables)
{
    /// <summary>The name the first deployments stored the key under (before the row chose it); still honoured.</summary>
    public const string SecretName = "vault-codes-key";

    private const string PointerPartition = "codes-key";
    private const string PointerRow = "current";
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _key;

    public async Task<byte[]> GetAsync(CancellationToken ct)
    {
        if (_key is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            return _key ??= await LoadAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<byte[]> LoadAsync(CancellationToken ct)
    {
        var table = await tables.CodesAsync(ct).ConfigureAwait(false);
        var name = await ChosenNameAsync(table, ct).ConfigureAwait(false);
        if (name is null)
        {
            // An existing deployment's key keeps working; a new one gets a candidate of this instance's own.
            var candidate = await secrets.GetAsync(SecretName, ct).ConfigureAwait(false) is not null ? SecretName : $"{SecretName}-{Ids.RandomBase32(10)}";
            if (candidate != SecretName)
            {
                await secrets.SetAsync(candidate, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), ct).ConfigureAwait(false);
            }

            name = await ChooseAsync(table, candidate, ct).ConfigureAwait(false);
            if (name != candidate && candidate != SecretName)
            {
                await secrets.DeleteAsync(candidate, ct).ConfigureAwait(false);
            }
        }

        var stored = await secrets.GetAsync(name, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The codes key row names the secret {name}, which the secret store does not have.");
        return Convert.FromBase64String(stored);
    }

    private static async Task<string?> ChosenNameAsync(TableClient table, CancellationToken ct)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PointerPartition, PointerRow, cancellationToken: ct).ConfigureAwait(false);
        return row.HasValue ? row.Value!.GetString("SecretName") : null;
    }

    /// <summary>Inserts the row naming <paramref name="candidate"/>; when another instance's insert came first, that one's name.</summary>
    private static async Task<string> ChooseAsync(TableClient table, string candidate, CancellationToken ct)
    {
        try
        {
            await table.AddEntityAsync(new TableEntity(PointerPartition, PointerRow) { ["SecretName"] = candidate }, ct).ConfigureAwait(false);
            return candidate;
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return await ChosenNameAsync(table, ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The codes key row was reported present and then not found.");
        }
    }

    public static byte[] Seal(byte[] key, byte[] plaintext, string associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var sealedValue = new byte[12 + plaintext.Length + 16];
        nonce.CopyTo(sealedValue, 0);
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(12, plaintext.Length), sealedValue.AsSpan(12 + plaintext.Length), System.Text.Encoding.UTF8.GetBytes(associatedData));
        return sealedValue;
    }

    public static byte[] Open(byte[] key, byte[] sealedValue, string associatedData)
    {
        if (sealedValue.Length < 28)
        {
            throw new CryptographicException("Sealed value too short.");
        }

        var plaintext = new byte[sealedValue.Length - 28];
        using var aes = new AesGcm(key, 16);
        aes.Decrypt(sealedValue.AsSpan(0, 12), sealedValue.AsSpan(12, plaintext.Length), sealedValue.AsSpan(12 + plaintext.Length), plaintext,
            System.Text.Encoding.UTF8.GetBytes(associatedData));
        return plaintext;
    }
}
