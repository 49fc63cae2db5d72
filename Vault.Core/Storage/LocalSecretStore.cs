using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Vault.Core.Storage;

/// <summary>
/// Development only (no Key Vault): secrets kept in a table, each AES-256-GCM encrypted under the local key with its
/// name as associated data, so a value cannot be moved to another name.
/// </summary>
public sealed class LocalSecretStore(Tables tables, byte[] key) : ISecretStore
{
    private const string Partition = "secret";

    public async Task SetAsync(string name, string value, CancellationToken ct)
    {
        var table = await tables.LocalSecretsAsync(ct).ConfigureAwait(false);
        var entity = new TableEntity(Partition, name) { ["Value"] = Seal(name, value) };
        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, ct).ConfigureAwait(false);
    }

    public async Task<string?> GetAsync(string name, CancellationToken ct)
    {
        var table = await tables.LocalSecretsAsync(ct).ConfigureAwait(false);
        var entity = await table.GetEntityIfExistsAsync<TableEntity>(Partition, name, cancellationToken: ct).ConfigureAwait(false);
        return entity.HasValue && entity.Value!.GetBinary("Value") is { } sealedValue ? Open(name, sealedValue) : null;
    }

    public async Task DeleteAsync(string name, CancellationToken ct)
    {
        var table = await tables.LocalSecretsAsync(ct).ConfigureAwait(false);
        await table.DeleteEntityAsync(Partition, name, ETag.All, ct).ConfigureAwait(false);
    }

    private byte[] Seal(string name, string value) =>
        AesGcmSealer.Seal(key, Encoding.UTF8.GetBytes(value), Encoding.UTF8.GetBytes(name));

    private string Open(string name, byte[] sealedValue) =>
        Encoding.UTF8.GetString(AesGcmSealer.Open(key, sealedValue, Encoding.UTF8.GetBytes(name)));
}

/// <summary>AES-256-GCM with a random nonce: version(1) ‖ nonce(12) ‖ ciphertext ‖ tag(16).</summary>
public static class AesGcmSealer
{
    private const byte Version = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var output = new byte[1 + NonceSize + plaintext.Length + TagSize];
        output[0] = Version;
        var nonce = output.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, output.AsSpan(1 + NonceSize, plaintext.Length), output.AsSpan(1 + NonceSize + plaintext.Length), associatedData);
        return output;
    }

    public static byte[] Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> sealedValue, ReadOnlySpan<byte> associatedData)
    {
        if (sealedValue.Length < 1 + NonceSize + TagSize || sealedValue[0] != Version)
        {
            throw new CryptographicException("Unsupported sealed value.");
        }

        var cipherLength = sealedValue.Length - 1 - NonceSize - TagSize;
        var plaintext = new byte[cipherLength];
        using var aes = new AesGcm(key, TagSize);
        aes.Decrypt(sealedValue.Slice(1, NonceSize), sealedValue.Slice(1 + NonceSize, cipherLength), sealedValue[^TagSize..], plaintext, associatedData);
        return plaintext;
    }
}
