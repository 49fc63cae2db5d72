namespace Vault.Core.Providers.OnePassword.Api;

/// <summary>
/// How the client introduces itself. The values are those the official JS SDK 0.5.0 sends (docs/onepassword-protocol.md §2), so the
/// service sees the same client shape it serves for every SDK integration; only the integration name is ours.
/// </summary>
internal static class SdkIdentity
{
    public const string SdkVersion = "0050002";
    public const string IntegrationName = "Vault";
    public const string IntegrationVersion = "1.0.0";
    public const string UserAgent = $"1Password JS SDK/{SdkVersion} {IntegrationName}/{IntegrationVersion}";
    public const string AgileBitsClient = $"1Password SDK/{SdkVersion}";
    public const string ClientVersion = "999999999";

    /// <summary>OP-User-Agent: <c>1|SDK|999999999|deviceUuid|||Fetch API|Fetch API|os|osVersion|arch</c>.</summary>
    public static string OpUserAgent(string deviceUuid) =>
        $"1|SDK|{ClientVersion}|{deviceUuid}|||Fetch API|Fetch API|linux|0.0.0|{Architecture}";

    public static string Architecture => System.Runtime.InteropServices.RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        _ => "x64",
    };
}
