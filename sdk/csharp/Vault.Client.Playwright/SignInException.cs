namespace Vault.Client.Playwright;

/// <summary>A sign-in that did not happen, with a stable <see cref="Code"/>; its message never carries a secret.</summary>
public sealed class SignInException(VaultError error) : Exception(error.Message)
{
    public const string OriginNotGranted = "ORIGIN_NOT_GRANTED";
    public const string InsecurePage = "INSECURE_PAGE";
    public const string CrossOriginFrame = "CROSS_ORIGIN_FRAME";
    public const string NoLoginForm = "NO_LOGIN_FORM";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string VaultUnavailable = "VAULT_UNAVAILABLE";

    /// <summary>The contract's error (code, message; status 0 when the page itself refused).</summary>
    public VaultError Error { get; } = error;

    public string Code => Error.Code;

    /// <summary>A refusal decided by the SDK itself (status 0, no request id).</summary>
    internal static SignInException Because(string code, string message) => new(new VaultError(0, code, message, null));
}
