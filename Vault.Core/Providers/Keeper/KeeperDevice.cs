using System.Text.Json;
using System.Text.Json.Serialization;
using Vault.Core.Providers.Keeper.Api;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// A Keeper Secrets Manager device: what Keeper's tools keep in their configuration JSON (same names, same encodings:
/// base64 for keys, so a stored device is a configuration Keeper's SDK can read), and what a connection keeps sealed.
/// Before it is bound it holds the one-time token's key (<see cref="ClientKey"/>) and no <see cref="AppKey"/>; binding
/// replaces the first with the second, as the SDK does.
/// </summary>
internal sealed record KeeperDevice
{
    [JsonPropertyName("hostname")] public required string Hostname { get; init; }
    [JsonPropertyName("clientId")] public required string ClientId { get; init; }
    [JsonPropertyName("privateKey")] public string? PrivateKey { get; init; }
    [JsonPropertyName("clientKey")] public string? ClientKey { get; init; }
    [JsonPropertyName("appKey")] public string? AppKey { get; init; }
    [JsonPropertyName("serverPublicKeyId")] public string? ServerPublicKeyId { get; init; }
    [JsonPropertyName("appOwnerPublicKey")] public string? AppOwnerPublicKey { get; init; }

    /// <summary>
    /// Ours, not Keeper's: the device was bound from a one-time token by this service, and its pending-binding record
    /// (<see cref="IPendingBindingStore"/>) is still kept; the first sync from the stored connection removes it.
    /// </summary>
    [JsonPropertyName("vaultPendingBinding")] public bool? PendingBinding { get; init; }

    [JsonIgnore] public bool IsBound => AppKey is not null;

    public string Serialize() => JsonSerializer.Serialize(this, KeeperJson.Default.KeeperDevice);

    /// <summary>The device as Keeper's tools write it: without this service's own marker.</summary>
    public string ToKeeperConfiguration() => (this with { PendingBinding = null }).Serialize();

    /// <summary>A stored device; null when the text is not one.</summary>
    public static KeeperDevice? TryParse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, KeeperJson.Default.KeeperDevice) is { Hostname.Length: > 0, ClientId.Length: > 0 } device ? device : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Never a key.</summary>
    public override string ToString() => $"KeeperDevice {{ Hostname = {Hostname}, Bound = {IsBound} }}";
}
