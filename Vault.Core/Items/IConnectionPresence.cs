namespace Vault.Core.Items;

/// <summary>
/// Whether an account has connected any password manager. An empty item list means "no connections" only when it has
/// none; Connections answers this (it implements the port), so Items does not depend on Connections.
/// </summary>
public interface IConnectionPresence
{
    Task<bool> AnyAsync(string accountId, CancellationToken ct);
}
