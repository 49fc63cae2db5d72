namespace Vault.Core.Providers;

/// <summary>A provider answer went over one of <see cref="ProviderLimits"/>; <see cref="Limit"/> says which, for the user.</summary>
public sealed class ProviderResponseTooLargeException(string limit) : Exception($"The provider's answer is over the limit: {limit}.")
{
    public string Limit { get; } = limit;
}
