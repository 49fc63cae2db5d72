namespace Vault.Core.Providers.Network;

/// <summary>Marks a request that must not be retried even if idempotent (e.g. a request that spends a tight quota).</summary>
public static class NoRetry
{
    private static readonly HttpRequestOptionsKey<bool> Key = new("Vault.NoRetry");

    public static HttpRequestMessage Mark(HttpRequestMessage request)
    {
        request.Options.Set(Key, true);
        return request;
    }

    internal static bool IsSet(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var value) && value;
}
