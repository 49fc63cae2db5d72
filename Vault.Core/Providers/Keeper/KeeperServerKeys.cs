using System.Globalization;
using Vault.Core.Providers.Keeper.Crypto;

namespace Vault.Core.Providers.Keeper;

/// <summary>
/// The P-256 public keys a request's transmission key is sealed to, by id. Keeper publishes ids 7 to 18 (every SDK
/// carries the same table; 7 is where a new device starts); the server names another id when it has rotated, and the
/// device keeps that id from then on. Development and tests replace the table with their own key
/// (<see cref="KeeperOptions.ServerPublicKey"/>), as Keeper's SDK allows with <c>serverPublicKey</c>.
/// </summary>
internal sealed class KeeperServerKeys
{
    public const int FirstId = 7;

    // Keeper's published server public keys 7..18 (uncompressed points, base64url), facts of the protocol.
    private static readonly string[] Published =
    [
        "BK9w6TZFxE6nFNbMfIpULCup2a8xc6w2tUTABjxny7yFmxW0dAEojwC6j6zb5nTlmb1dAx8nwo3qF7RPYGmloRM",
        "BKnhy0obglZJK-igwthNLdknoSXRrGB-mvFRzyb_L-DKKefWjYdFD2888qN1ROczz4n3keYSfKz9Koj90Z6w_tQ",
        "BAsPQdCpLIGXdWNLdAwx-3J5lNqUtKbaOMV56hUj8VzxE2USLHuHHuKDeno0ymJt-acxWV1xPlBfNUShhRTR77g",
        "BNYIh_Sv03nRZUUJveE8d2mxKLIDXv654UbshaItHrCJhd6cT7pdZ_XwbdyxAOCWMkBb9AZ4t1XRCsM8-wkEBRg",
        "BA6uNfeYSvqagwu4TOY6wFK4JyU5C200vJna0lH4PJ-SzGVXej8l9dElyQ58_ljfPs5Rq6zVVXpdDe8A7Y3WRhk",
        "BMjTIlXfohI8TDymsHxo0DqYysCy7yZGJ80WhgOBR4QUd6LBDA6-_318a-jCGW96zxXKMm8clDTKpE8w75KG-FY",
        "BJBDU1P1H21IwIdT2brKkPqbQR0Zl0TIHf7Bz_OO9jaNgIwydMkxt4GpBmkYoprZ_DHUGOrno2faB7pmTR7HhuI",
        "BJFF8j-dH7pDEw_U347w2CBM6xYM8Dk5fPPAktjib-opOqzvvbsER-WDHM4ONCSBf9O_obAHzCyygxmtpktDuiE",
        "BDKyWBvLbyZ-jMueORl3JwJnnEpCiZdN7yUvT0vOyjwpPBCDf6zfL4RWzvSkhAAFnwOni_1tQSl8dfXHbXqXsQ8",
        "BDXyZZnrl0tc2jdC5I61JjwkjK2kr7uet9tZjt8StTiJTAQQmnVOYBgbtP08PWDbecxnHghx3kJ8QXq1XE68y8c",
        "BFX68cb97m9_sweGdOVavFM3j5ot6gveg6xT4BtGahfGhKib-zdZyO9pwvv1cBda9ahkSzo1BQ4NVXp9qRyqVGU",
        "BNhngQqTT1bPKxGuB6FhbPTAeNVFl8PKGGSGo5W06xWIReutm6ix6JPivqnbvkydY-1uDQTr-5e6t70G01Bb5JA",
    ];

    private readonly IReadOnlyDictionary<int, byte[]> _keys;

    private KeeperServerKeys(IReadOnlyDictionary<int, byte[]> keys, int defaultId, bool custom)
    {
        _keys = keys;
        DefaultId = defaultId;
        IsCustom = custom;
    }

    /// <summary>The id a device without one starts with.</summary>
    public int DefaultId { get; }

    /// <summary>Keys given by the settings (development and tests) instead of Keeper's published ones.</summary>
    public bool IsCustom { get; }

    public static KeeperServerKeys Keeper { get; } = new(
        Published.Select((k, i) => (Id: FirstId + i, Key: KeeperBase64.Decode(k))).ToDictionary(p => p.Id, p => p.Key), FirstId, custom: false);

    /// <summary>
    /// The keys in force: Keeper's, or with private hosts allowed, the settings' key (and, for tests of rotation, a set
    /// of several by id). A setting without private hosts allowed is ignored: production always seals to Keeper's keys.
    /// </summary>
    public static KeeperServerKeys From(KeeperOptions options, bool allowPrivateHosts)
    {
        if (!allowPrivateHosts || (string.IsNullOrWhiteSpace(options.ServerPublicKey) && options.ServerPublicKeySet is not { Count: > 0 }))
        {
            return Keeper;
        }

        var keys = new Dictionary<int, byte[]>();
        foreach (var (id, key) in options.ServerPublicKeySet ?? [])
        {
            keys[Id(id, "Vault__Keeper__ServerPublicKeySet")] = Point(key, "Vault__Keeper__ServerPublicKeySet__" + id);
        }

        var defaultId = keys.Count > 0 ? keys.Keys.Min() : FirstId;
        if (!string.IsNullOrWhiteSpace(options.ServerPublicKey))
        {
            defaultId = string.IsNullOrWhiteSpace(options.ServerPublicKeyId) ? FirstId : Id(options.ServerPublicKeyId, "Vault__Keeper__ServerPublicKeyId");
            keys[defaultId] = Point(options.ServerPublicKey, "Vault__Keeper__ServerPublicKey");
        }

        return new KeeperServerKeys(keys, defaultId, custom: true);
    }

    private static int Id(string text, string setting) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw new InvalidOperationException($"{setting} must be a server key id (a whole number, e.g. 10).");

    private static byte[] Point(string text, string setting) =>
        KeeperBase64.TryDecode(text) is { Length: 65 } point && point[0] == 4
            ? point
            : throw new InvalidOperationException($"{setting} must be a server public key: the base64url of an uncompressed P-256 point (65 bytes, starting 0x04).");

    /// <summary>The key of an id, or null when this service has none by that id.</summary>
    public byte[]? Get(int id) => _keys.TryGetValue(id, out var key) ? key : null;
}
