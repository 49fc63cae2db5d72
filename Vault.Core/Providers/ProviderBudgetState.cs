namespace Vault.Core.Providers;

/// <summary>A provider's request budget for one key and window: requests used, and how long a 429 told us to wait.</summary>
public sealed record ProviderBudgetState(string Window, int Used, DateTimeOffset? BlockedUntil);
