using System.Text.Json;
using System.Text.RegularExpressions;
using Vault.Core.Errors;
using Vault.Core.Providers.OnePassword.Api;
using Vault.Core.Providers.OnePassword.Crypto;

namespace Vault.Core.Providers.OnePassword.Token;

/// <summary>
/// A parsed 1Password service account token: <c>ops_</c> + base64url(JSON) (docs/onepassword-protocol.md §1). Everything is
/// validated here, before any network call, so a malformed token is the user's 400 and never costs a request.
/// Holds key material: never logged, and <see cref="ToString"/> shows nothing of it.
/// </summary>
internal sealed partial class ServiceAccountToken
{
    public const string Prefix = "ops_";
    private const string Field = nameof(ConnectInput.Token);
    private const int MaxTokenLength = 16 * 1024;

    private ServiceAccountToken(string signInAddress, string email, string secretKey, string secretKeyId, byte[] srpX,
        byte[] masterUnlockKey, byte[] userAuthSalt, string deviceUuid, byte[] throttleSeed, string throttleKeyId)
    {
        SignInAddress = signInAddress;
        Email = email;
        SecretKey = secretKey;
        SecretKeyId = secretKeyId;
        SrpX = srpX;
        MasterUnlockKey = masterUnlockKey;
        UserAuthSalt = userAuthSalt;
        DeviceUuid = deviceUuid;
        ThrottleSeed = throttleSeed;
        ThrottleKeyId = throttleKeyId;
    }

    /// <summary>host[:port], lower case, without scheme or trailing slash.</summary>
    public string SignInAddress { get; }

    public string Email { get; }
    public string SecretKey { get; }

    /// <summary>The second group of the secret key: the key id (<c>skid</c>) sent at sign-in.</summary>
    public string SecretKeyId { get; }

    /// <summary>The SRP private value x, big-endian bytes (32).</summary>
    public byte[] SrpX { get; }

    /// <summary>The account unlock key (kid <c>mp</c>), 32 bytes of AES-256-GCM key.</summary>
    public byte[] MasterUnlockKey { get; }

    public byte[] UserAuthSalt { get; }
    public string DeviceUuid { get; }

    /// <summary>The Ed25519 seed of the throttling token (§9).</summary>
    public byte[] ThrottleSeed { get; }

    public string ThrottleKeyId { get; }

    /// <summary>Who the token signs in as: decides re-connect in place. Not secret.</summary>
    public string Identity => $"{Email.ToLowerInvariant()}|{SignInAddress}";

    public Uri BaseUri => new($"https://{SignInAddress}");

    public override string ToString() => "ServiceAccountToken { *** }";

    /// <summary>Parses and validates a token. Problems name the part, never its value.</summary>
    public static ServiceAccountToken Parse(string? token)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new InvalidCommandException(Field, "is required for provider 1password.", InputProblemKind.Required);
        }

        token = token.Trim();
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new InvalidCommandException(Field, "must be a 1Password service account token starting with ops_.");
        }

        if (token.Length > MaxTokenLength)
        {
            throw Invalid("it is too long");
        }

        var json = LenientBase64Url.TryDecode(token[Prefix.Length..]) ?? throw Invalid("its payload is not base64url");
        TokenPayload? payload;
        try
        {
            payload = JsonSerializer.Deserialize(json, OnePasswordJson.Wire.TokenPayload);
        }
        catch (JsonException)
        {
            throw Invalid("its payload is not JSON");
        }

        if (payload is null)
        {
            throw Invalid("its payload is not a JSON object");
        }

        var address = NormalizeAddress(payload.SignInAddress) ?? throw Invalid("signInAddress is missing or not a host name");
        var email = payload.Email?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 254 || !EmailPattern().IsMatch(email))
        {
            throw Invalid("email is missing or not an e-mail address");
        }

        var secretKey = payload.SecretKey?.Trim().ToUpperInvariant();
        var skMatch = secretKey is null ? null : SecretKeyPattern().Match(secretKey);
        if (skMatch is null || !skMatch.Success)
        {
            throw Invalid("secretKey is not an A3 secret key");
        }

        var srpX = HexOf(payload.SrpX, 32) ?? throw Invalid("srpX is not 64 hex digits");
        if (srpX.All(b => b == 0))
        {
            throw Invalid("srpX is zero");
        }

        var muk = payload.Muk;
        if (muk is null || muk.Kty != "oct" || (muk.Alg is not null && muk.Alg != "A256GCM"))
        {
            throw Invalid("muk is not an A256GCM key");
        }

        var mukKey = LenientBase64Url.TryDecode(muk.K);
        if (mukKey is not { Length: 32 })
        {
            throw Invalid("muk is not a 256-bit key");
        }

        var auth = payload.UserAuth;
        if (auth is null || auth.Method != "SRPg-4096")
        {
            throw Invalid("userAuth method is not SRPg-4096");
        }

        var salt = LenientBase64Url.TryDecode(auth.Salt);
        if (salt is null || salt.Length is < 8 or > 64)
        {
            throw Invalid("userAuth salt is missing or malformed");
        }

        var device = payload.DeviceUuid?.Trim();
        if (device is null || !DeviceUuidPattern().IsMatch(device))
        {
            throw Invalid("deviceUuid is not 26 base32 characters");
        }

        var throttle = payload.ThrottleSecret;
        var seed = HexOf(throttle?.Seed, 32) ?? throw Invalid("throttleSecret seed is not 64 hex digits");
        if (throttle!.Uuid is null || !ThrottleUuidPattern().IsMatch(throttle.Uuid))
        {
            throw Invalid("throttleSecret uuid is not 26 base32 characters");
        }

        return new ServiceAccountToken(address, email, secretKey!, skMatch.Groups["skid"].Value, srpX, mukKey, salt,
            device, seed, throttle.Uuid);
    }

    /// <summary>
    /// host[:port] from what the token holds; the SDK accepts a leading <c>https://</c> and a trailing slash too (§1).
    /// Returns null when it is not a plain host with an optional port.
    /// </summary>
    private static string? NormalizeAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 255)
        {
            return null;
        }

        var text = value.Trim();
        if (text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            text = text["https://".Length..];
        }

        text = text.TrimEnd('/');
        if (text.Length == 0 || text.Contains('/') || text.Contains('@') || text.Contains('?') || text.Contains('#'))
        {
            return null;
        }

        if (!Uri.TryCreate($"https://{text}/", UriKind.Absolute, out var uri) || uri.HostNameType is UriHostNameType.Unknown ||
            uri.HostNameType == UriHostNameType.IPv6)
        {
            return null;
        }

        var host = uri.IdnHost.ToLowerInvariant();
        return uri.IsDefaultPort ? host : $"{host}:{uri.Port}";
    }

    private static byte[]? HexOf(string? hex, int length)
    {
        if (hex is null || hex.Length != length * 2 || !hex.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return Convert.FromHexString(hex);
    }

    private static InvalidCommandException Invalid(string problem) =>
        new(Field, $"is not a well-formed 1Password service account token: {problem}.");

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    // 1Password's secret-key alphabet has no 0, 1, I, O or U; the official SDK refuses tokens with them.
    [GeneratedRegex(@"^A3-(?<skid>[2-9A-HJ-NP-TV-Z]{6})-[2-9A-HJ-NP-TV-Z]{6}-[2-9A-HJ-NP-TV-Z]{5}-[2-9A-HJ-NP-TV-Z]{5}-[2-9A-HJ-NP-TV-Z]{5}-[2-9A-HJ-NP-TV-Z]{5}$")]
    private static partial Regex SecretKeyPattern();

    [GeneratedRegex("^[a-z2-7]{26}$")]
    private static partial Regex DeviceUuidPattern();

    [GeneratedRegex("^[A-Za-z2-7]{26}$")]
    private static partial Regex ThrottleUuidPattern();
}
