namespace Vault.Testing.TableLimits;

/// <summary>The <c>TableEndpoint</c> of a storage connection string (Azurite's carry one), read or replaced.</summary>
public static class StorageConnectionString
{
    private const string Key = "TableEndpoint";

    public static Uri TableEndpoint(string connectionString) =>
        Parts(connectionString).FirstOrDefault(p => p.Name.Equals(Key, StringComparison.OrdinalIgnoreCase)).Value is { Length: > 0 } endpoint
            ? new Uri(endpoint)
            : throw new ArgumentException("The storage connection string names no TableEndpoint (use Azurite's full connection string).", nameof(connectionString));

    /// <summary>The same connection string (account, key, other endpoints) with its table endpoint at <paramref name="endpoint"/>.</summary>
    public static string WithTableEndpoint(string connectionString, Uri endpoint) =>
        string.Join(';', Parts(connectionString)
            .Where(p => !p.Name.Equals(Key, StringComparison.OrdinalIgnoreCase))
            .Select(p => $"{p.Name}={p.Value}")
            .Append($"{Key}={endpoint.AbsoluteUri.TrimEnd('/')}")) + ";";

    private static IEnumerable<(string Name, string Value)> Parts(string connectionString) =>
        connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Select(kv => (kv[0], kv.Length > 1 ? kv[1] : string.Empty));
}
