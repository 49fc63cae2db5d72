namespace Vault.Core.Connections;

/// <summary>
/// When background resync should next try a connection (implemented in <c>Resync/ResyncSchedule.cs</c>, which owns the
/// interval, the jitter and the back-off rule). The connection store asks it on every write of a row, so the due-time
/// index follows the row.
/// </summary>
public interface IResyncSchedule
{
    /// <summary>The connection's next due time; null when background resync leaves it alone (not active).</summary>
    DateTimeOffset? NextDueAt(Connection connection);
}
