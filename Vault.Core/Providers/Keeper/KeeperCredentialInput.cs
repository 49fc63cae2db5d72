using System.Text;
using Vault.Core.Errors;
using Vault.Core.Providers.Keeper.Crypto;
using Vault.Core.Providers.Network;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// What the connect form's token field may hold for Keeper: a one-time access token (<c>US:…</c>, <c>EU:…</c>, … or
/// <c>host[:port]:…</c>: everything before the last colon is the region or host), or the base64 configuration JSON of a
/// device Keeper's tools already bound. Checked without any network call.
/// </summary>
internal static class KeeperCredentialInput
{
    private const string Field = nameof(ConnectInput.Token);

    public static KeeperDevice Parse(string? token, bool allowPrivateHosts)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidCommandException(Field, "is required: a Keeper one-time access token or a base64 configuration.", InputProblemKind.Required);
        }

        var text = token.Trim();
        if (text.Length > 8192)
        {
            throw new InvalidCommandException(Field, "is too long for a Keeper token or configuration.");
        }

        return TryConfiguration(text) is { } device ? CheckHost(device, allowPrivateHosts) : OneTimeToken(text, allowPrivateHosts);
    }

    private static KeeperDevice OneTimeToken(string text, bool allowPrivateHosts)
    {
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            throw new InvalidCommandException(Field, "must be a Keeper one-time access token as the console shows it (US:…, EU:…, AU:…, GOV:…, JP:…, CA:… or host:…), or a base64 configuration.");
        }

        var prefix = text[..colon];
        var clientKey = KeeperBase64.TryDecode(text[(colon + 1)..]);
        if (clientKey is not { Length: 32 })
        {
            throw new InvalidCommandException(Field, "must end in the one-time token's 256-bit key (base64url) after the last colon.");
        }

        var host = KeeperRegions.HostOf(prefix) ?? prefix.ToLowerInvariant();
        var device = new KeeperDevice
        {
            Hostname = host,
            ClientId = KeeperCrypto.ClientId(clientKey),
            ClientKey = KeeperBase64.Encode(clientKey),
        };
        return CheckHost(device, allowPrivateHosts);
    }

    /// <summary>A base64 (or plain) configuration JSON with at least a host, a client id and a key; null when it is not JSON.</summary>
    private static KeeperDevice? TryConfiguration(string text)
    {
        var json = text.StartsWith('{') ? text : KeeperBase64.TryDecode(text) is { } bytes ? Utf8OrNull(bytes) : null;
        if (json is null || !json.TrimStart().StartsWith('{'))
        {
            return null;
        }

        var device = KeeperDevice.TryParse(json) ?? throw new InvalidCommandException(Field, "is a configuration without a hostname and clientId.");
        if (KeeperBase64.TryDecode(device.PrivateKey) is null || (device.AppKey is null && device.ClientKey is null))
        {
            throw new InvalidCommandException(Field, "is a configuration without its privateKey and appKey (or clientKey, before binding).");
        }

        if (KeeperBase64.TryDecode(device.AppKey ?? device.ClientKey) is not { Length: 32 })
        {
            throw new InvalidCommandException(Field, "is a configuration whose appKey is not a 256-bit key.");
        }

        try
        {
            KeeperCrypto.PublicPointOf(KeeperBase64.Decode(device.PrivateKey));
        }
        catch (KeeperCryptoException)
        {
            throw new InvalidCommandException(Field, "is a configuration whose privateKey is not a P-256 key.");
        }

        // Some of Keeper's tools write the region code itself as the host.
        var host = device.Hostname.Trim();
        return device with { Hostname = KeeperRegions.HostOf(host) ?? host.ToLowerInvariant(), PendingBinding = null };
    }

    private static string? Utf8OrNull(byte[] bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>A host name with an optional port and nothing else; private addresses only where allowed (development, tests).</summary>
    private static KeeperDevice CheckHost(KeeperDevice device, bool allowPrivateHosts)
    {
        var host = device.Hostname;
        if (host.Length > 253 || host.IndexOfAny(['/', '?', '#', '@', ' ', '\\']) >= 0 ||
            !Uri.TryCreate("https://" + host, UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, host, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidCommandException(Field, "names a region or host that is not a host name (with an optional port).");
        }

        ProviderEndpoint.ParseBaseUrl(Field, "https://" + host, allowPrivateHosts);
        return device;
    }
}
