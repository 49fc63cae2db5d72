namespace Vault.Tests.Infrastructure;

/// <summary>
/// The kinds of test, as the <c>Category</c> trait every test class carries (a test checks that): run one kind with
/// <c>dotnet test --filter Category=Unit</c>. Unit needs nothing but the process; Storage needs Azurite (started by the
/// tests when <c>VAULT_TEST_STORAGE</c> is unset); Http drives the standalone host or a fake provider server over
/// loopback; Browser drives Chromium; Host runs the real Functions host; Interop runs another program (Node, Python,
/// the Bitwarden CLI, an official SDK) against us.
/// </summary>
public static class TestKind
{
    public const string Trait = "Category";
    public const string Unit = "Unit";
    public const string Storage = "Storage";
    public const string Http = "Http";
    public const string Browser = "Browser";
    public const string Host = "Host";
    public const string Interop = "Interop";

    public static readonly string[] All = [Unit, Storage, Http, Browser, Host, Interop];
}
