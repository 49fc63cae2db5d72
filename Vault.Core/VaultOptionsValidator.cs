using Microsoft.Extensions.Options;

namespace Vault.Core;

/// <summary>
/// The <see cref="VaultOptions"/> the app cannot run without, checked when the host starts (<c>ValidateOnStart</c>) in
/// both modes; each failure names the app setting and how to fix it.
/// </summary>
public sealed class VaultOptionsValidator : IValidateOptions<VaultOptions>
{
    public const string NoSecretStore =
        "No secret store: set Vault__KeyVaultUri to a Key Vault, or for local development only set " +
        "Vault__AllowLocalSecretStore=true and Vault__LocalSecretKey to base64 of 32 random bytes.";

    public ValidateOptionsResult Validate(string? name, VaultOptions options)
    {
        var failures = new List<string>();
        if (options.KeyVaultUri is null && !options.AllowLocalSecretStore)
        {
            failures.Add(NoSecretStore);
        }
        else if (options.KeyVaultUri is null && LocalSecretKey(options) is null)
        {
            failures.Add("Vault__LocalSecretKey must be base64 of exactly 32 random bytes.");
        }

        if (options.RateLimit.PerMinute < 1)
        {
            failures.Add("Vault__RateLimit__PerMinute must be at least 1.");
        }

        if (options.ResyncInterval < TimeSpan.Zero)
        {
            // Zero is allowed: every connection is always due (tests, and a deployment that wants resyncs as fast as
            // the provider budgets allow).
            failures.Add($"Vault__ResyncInterval must be a duration (hh:mm:ss) of zero or more, not {options.ResyncInterval}.");
        }

        foreach (var (setting, value) in new[]
        {
            ("Vault__RunTokenLifetime", options.RunTokenLifetime), ("Vault__SyncLeaseDuration", options.SyncLeaseDuration),
        })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"{setting} must be a positive duration (hh:mm:ss), not {value}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The local secret store's key: base64 of exactly 32 bytes, else null.</summary>
    internal static byte[]? LocalSecretKey(VaultOptions options)
    {
        try
        {
            var key = options.LocalSecretKey is null ? null : Convert.FromBase64String(options.LocalSecretKey);
            return key?.Length == 32 ? key : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
