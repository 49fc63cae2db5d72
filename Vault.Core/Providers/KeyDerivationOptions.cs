using System.ComponentModel.DataAnnotations;

namespace Vault.Core.Providers;

/// <summary>Settings of <see cref="KeyDerivationGate"/> (section <c>Vault:KeyDerivation</c>).</summary>
public sealed class KeyDerivationOptions
{
    public const string Section = "Vault:KeyDerivation";

    /// <summary>
    /// Memory all derivations running at once may use. 1 GiB lets one maximal Argon2id (1 GiB, Bitwarden's ceiling)
    /// or several ordinary ones (64 MiB by default) run, and keeps a 2 GiB Flex instance alive.
    /// </summary>
    [Range(64, 1024 * 1024, ErrorMessage = "Vault__KeyDerivation__MaxMemoryMiB must be between 64 and 1048576 (Bitwarden's Argon2id ceiling is 1024).")]
    public int MaxMemoryMiB { get; set; } = 1024;

    /// <summary>Lanes (threads) all derivations running at once may use; by default half the cores, at least one.</summary>
    [Range(1, 1024, ErrorMessage = "Vault__KeyDerivation__MaxLanes must be between 1 and 1024.")]
    public int MaxLanes { get; set; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>How long a connect waits for its turn before it answers 503 with Retry-After.</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The Retry-After given when the gate is full.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(15);
}
