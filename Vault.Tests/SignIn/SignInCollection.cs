namespace Vault.Tests.SignIn;

/// <summary>The sign-in browser tests share one host, one set of test sites and one Chromium, and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SignInCollection : ICollectionFixture<SignInFixture>
{
    public const string Name = "sign-in browser";
}
