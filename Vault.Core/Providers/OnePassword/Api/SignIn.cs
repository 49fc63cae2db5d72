using Vault.Core.Providers.OnePassword.Crypto;
using Vault.Core.Providers.OnePassword.Srp;
using Vault.Core.Providers.OnePassword.Token;

namespace Vault.Core.Providers.OnePassword.Api;

/// <summary>
/// What <c>createClient</c> does (docs/onepassword-protocol.md §3): auth/start → (device registration, only if asked) → SRP
/// (auth) → confirm-key → auth/complete. Four requests in the normal case.
/// </summary>
internal static class SignIn
{
    /// <param name="userUuid">The user id of an earlier sign-in, when signing in again after a 401 (the SDK sends it).</param>
    /// <returns>The user id.</returns>
    public static async Task<string> RunAsync(OnePasswordSession session, ServiceAccountToken token, string? userUuid, CancellationToken ct)
    {
        var start = await StartAsync(session, token, userUuid, ct).ConfigureAwait(false);
        if (start.Status is "device-not-registered" or "device-deleted")
        {
            // The SDK registers (or reauthorizes) the device once, within the looked-up session, and starts again.
            if (!string.IsNullOrEmpty(start.SessionId))
            {
                session.SetSessionId(start.SessionId);
            }

            await HandleDeviceAsync(session, token, start.Status, ct).ConfigureAwait(false);
            session.SetSessionId(null);
            start = await StartAsync(session, token, userUuid, ct).ConfigureAwait(false);
        }

        if (start.Status is not (null or "ok"))
        {
            throw new OnePasswordProtocolException("The sign-in lookup returned an unknown device status.");
        }

        if (string.IsNullOrEmpty(start.SessionId))
        {
            throw new OnePasswordProtocolException("The sign-in lookup returned no session id.");
        }

        if (start.UserAuth?.Method != SrpGroup.Method)
        {
            throw new OnePasswordProtocolException("The sign-in lookup asked for an unsupported authentication method.");
        }

        // The proof uses the salt the server names now, not the token's copy (§3.1).
        var salt = LenientBase64Url.TryDecode(start.UserAuth.Salt) ?? throw new OnePasswordProtocolException("The sign-in salt is malformed.");
        session.SetSessionId(start.SessionId);

        var srp = new SrpClient(token.SrpX);
        var exchange = await session.SendPlainAsync(HttpMethod.Post, "/api/v2/auth", new AuthRequest { UserA = srp.UserAHex },
            OnePasswordJson.Wire.AuthRequest, OnePasswordJson.Wire.AuthResponse, "SRP exchange", ct).ConfigureAwait(false);
        var b = SrpGroup.ParseHex(exchange.UserB) ?? throw new OnePasswordProtocolException("The SRP exchange returned no valid B.");
        var proof = srp.Complete(b, salt, token.SecretKeyId, token.Email);

        var confirm = await session.SendPlainAsync(HttpMethod.Post, "/api/v2/auth/confirm-key",
            new ConfirmKeyRequest { ClientVerifyHash = LenientBase64Url.Encode(proof.ClientProof) },
            OnePasswordJson.Wire.ConfirmKeyRequest, OnePasswordJson.Wire.ConfirmKeyResponse, "key confirmation", ct).ConfigureAwait(false);
        var serverProof = LenientBase64Url.TryDecode(confirm.ServerVerifyHash);
        if (serverProof is null || !proof.VerifyServer(serverProof))
        {
            // The server does not know v: not the account the token names (or someone in between).
            throw new OnePasswordCryptoException("The server's SRP proof does not verify.");
        }

        session.Establish(proof.SessionKey);
        var complete = await session.SendEncryptedAsync(HttpMethod.Post, "/api/v2/auth/complete",
            new AuthCompleteRequest { Client = SdkIdentity.AgileBitsClient, Device = null },
            OnePasswordJson.Wire.AuthCompleteRequest, OnePasswordJson.Wire.AuthCompleteResponse, "sign-in completion", ct).ConfigureAwait(false);
        return string.IsNullOrEmpty(complete.UserUuid)
            ? throw new OnePasswordProtocolException("The sign-in completion returned no user id.")
            : complete.UserUuid;
    }

    private static Task<AuthStartResponse> StartAsync(OnePasswordSession session, ServiceAccountToken token, string? userUuid, CancellationToken ct) =>
        session.SendPlainAsync(HttpMethod.Post, "/api/v3/auth/start",
            new AuthStartRequest { Email = token.Email, SkFormat = "A3", Skid = token.SecretKeyId, DeviceUuid = token.DeviceUuid, UserUuid = userUuid },
            OnePasswordJson.Wire.AuthStartRequest, OnePasswordJson.Wire.AuthStartResponse, "sign-in lookup", ct);

    private static async Task HandleDeviceAsync(OnePasswordSession session, ServiceAccountToken token, string status, CancellationToken ct)
    {
        if (status == "device-deleted")
        {
            await session.SendPlainAsync(HttpMethod.Put, $"/api/v1/device/{token.DeviceUuid}/reauthorize", null,
                OnePasswordJson.Wire.AnyAnswer, OnePasswordJson.Wire.AnyAnswer, "device reauthorization", ct).ConfigureAwait(false);
            return;
        }

        var registration = new DeviceRegistration
        {
            Uuid = token.DeviceUuid,
            ClientName = "1Password SDK",
            ClientVersion = SdkIdentity.ClientVersion,
            Name = "SDK",
            Model = SdkIdentity.Architecture,
            OsName = "Linux",
            OsVersion = "0.0.0",
            UserAgent = SdkIdentity.UserAgent,
        };
        await session.SendPlainAsync(HttpMethod.Post, "/api/v1/device", registration,
            OnePasswordJson.Wire.DeviceRegistration, OnePasswordJson.Wire.AnyAnswer, "device registration", ct).ConfigureAwait(false);
    }
}
