using System.Reflection;

namespace Vault.Client.Playwright;

/// <summary>
/// The in-page scripts shared with the TypeScript SDK (<c>sdk/signin/*.js</c>, embedded here): one field finder and one
/// snapshot for both SDKs, so that they decide alike.
/// </summary>
internal static class LoginFormScripts
{
    public static string LoginForm { get; } = Read("login-form.js");

    public static string RedactedSnapshot { get; } = Read("redacted-snapshot.js");

    private static string Read(string name)
    {
        using var stream = typeof(LoginFormScripts).Assembly.GetManifestResourceStream("Vault.Client.Playwright." + name)
            ?? throw new InvalidOperationException($"The embedded script {name} is missing from {typeof(LoginFormScripts).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
