using Vault.Core.Connections;
using Vault.Core.Items;
using Vault.Core.Providers;

namespace Vault.Functions.Http;

/// <summary>Core models to the contract's JSON shapes (never a secret).</summary>
public static class ApiMapping
{
    private static readonly FieldMetadataBody UsernameField = new("username", "username", "STRING");
    private static readonly FieldMetadataBody PasswordField = new("password", "password", "CONCEALED");
    private static readonly FieldMetadataBody TotpField = new("totp", "one-time password", "OTP");

    public static ItemBody ToBody(CachedItem item) => new()
    {
        ItemId = item.ItemId,
        ConnectionId = item.ConnectionId,
        Provider = item.Provider,
        VaultId = item.Data.VaultId,
        VaultName = item.Data.VaultName,
        Label = item.Data.Label,
        Username = item.Data.Username,
        Urls = item.Data.Uris.Select(u => u.Uri).ToList(),
        Domains = item.Data.Domains,
        FieldMetadata = [UsernameField, PasswordField, .. item.Data.HasTotp ? [TotpField] : Array.Empty<FieldMetadataBody>(),
            .. (item.Data.FieldLabels ?? []).Select(label => new FieldMetadataBody("custom:" + label, label, "STRING"))],
        HasTotp = item.Data.HasTotp,
        Enabled = item.Enabled,
        UpdatedAt = item.Data.UpdatedAt.UtcDateTime,
    };

    public static ConnectionBody ToBody(Connection c, IReadOnlyList<CachedItem>? items = null, DateTimeOffset? nextSyncAt = null) => new()
    {
        NextSyncAt = nextSyncAt?.UtcDateTime,
        ConnectionId = c.ConnectionId,
        Provider = c.Provider,
        Status = c.Status,
        Label = c.Label,
        ServerUrl = c.ServerUrl,
        ItemCount = c.ItemCount,
        Vaults = c.Vaults,
        CreatedAt = c.CreatedAt.UtcDateTime,
        LastSyncedAt = c.LastSyncedAt?.UtcDateTime,
        LastError = ToBody(c.LastError),
        Items = items?.Select(ToBody).ToList(),
    };

    /// <summary>The connect answer: the connection with <c>"connected": true</c> and its synced items.</summary>
    public static ConnectionBody ToConnectedBody(Connection c, IReadOnlyList<CachedItem> items, DateTimeOffset? nextSyncAt) =>
        ToBody(c, items, nextSyncAt) with { Connected = true };

    public static ErrorInfoBody? ToBody(ConnectionError? error) =>
        error is null ? null : new ErrorInfoBody(error.Code, error.Message, error.At.UtcDateTime);

    public static ConnectInput ToInput(ConnectRequest request) => new(
        request.Provider ?? string.Empty, request.Token, request.ClientId, request.ClientSecret, request.MasterPassword,
        request.ServerUrl, request.Region, request.ServerCaCertificate);
}
