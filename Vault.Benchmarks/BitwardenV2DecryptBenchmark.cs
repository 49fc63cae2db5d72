using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Vault.Core.Providers.Bitwarden;
using Vault.Core.Providers.Bitwarden.Api;
using Vault.Core.Providers.Bitwarden.Crypto;
using Vault.Testing.Bitwarden;

namespace Vault.Benchmarks;

/// <summary>
/// Issue 12's figures: decrypting the same number of login items from a v1 account (field-level, half with per-item
/// keys) and from the published v2 account (blob items: per-item key, wrapped CEK, data envelope, CBOR), both with the
/// smallest KDF so the figures are the items' decryption.
/// No storage: only the provider's decryption of a /sync answer fetched from the fake server.
/// </summary>
public static class BitwardenV2DecryptBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var itemCount = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 5_000;
        await using var server = await FakeBitwardenServer.StartAsync();
        // The clients' smallest KDF, so that the figures are the items' decryption and not the master key.
        var kdf = new KdfSettings(KdfType.Pbkdf2Sha256, KdfSettings.MinPbkdf2Iterations, null, null);
        var v1 = server.AddAccount("bench@example.com", "bench master password", kdf);
        var v2 = server.AddPublishedV2Account("bench master password", kdf);
        for (var i = 0; i < itemCount; i++)
        {
            v1.AddLogin($"Login {i:D5}", $"user{i}", $"password-{i}", i % 4 == 0 ? "JBSWY3DPEHPK3PXP" : null,
                [($"https://login.site{i}.example.com/", null)], perCipherKey: i % 2 == 0);
            v2.AddBlobLogin($"Login {i:D5}", $"user{i}", $"password-{i}", i % 4 == 0 ? "JBSWY3DPEHPK3PXP" : null,
                [($"https://login.site{i}.example.com/", null)]);
        }

        Console.WriteLine($"Decrypting {itemCount} login items (PBKDF2 5,000 for both), median of 5 runs after 1 warm-up:");
        foreach (var (label, account) in new[] { ("v1 (types 2, half per-item keys)", v1), ("v2 (blobs: XAES key, A256GCM CEK, CBOR)", v2) })
        {
            var secret = new BitwardenSecret { ClientId = account.ClientId, ClientSecret = account.ClientSecret, MasterPassword = account.MasterPassword, ServerUrl = server.BaseUrl };
            using var http = new HttpClient();
            var api = new BitwardenApiClient(http, BitwardenEndpoints.For(server.BaseUrl, null), TimeProvider.System, new Vault.Core.Providers.ProviderLimits());
            var grant = await api.LoginAsync(secret, Guid.NewGuid(), default);
            var sync = await api.SyncAsync(grant.AccessToken, default);
            var count = 0;
            var median = Median(() => count = new VaultDecryptor(NullLogger.Instance).Decrypt(sync, UserKeyUnlock.WithMasterPassword(account.MasterPassword), account.Kdf, null).Items.Count);
            Console.WriteLine($"  {label,-42} {median,8:F0} ms  ({median * 1000 / itemCount,6:F1} µs/item, {count} items read)");
        }
    }

    /// <summary>Median wall time in ms of 5 runs after one warm-up.</summary>
    private static double Median(Action action)
    {
        action();
        var samples = new double[5];
        for (var i = 0; i < samples.Length; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            samples[i] = watch.Elapsed.TotalMilliseconds;
        }

        Array.Sort(samples);
        return samples[2];
    }
}
