namespace Vault.Client.Playwright;

/// <summary>What a sign-in did, and nothing secret: which item, and which kinds of field it filled.</summary>
/// <param name="Filled">Any of <c>username</c>, <c>password</c>, <c>totp</c>, in the order filled.</param>
/// <param name="LeftSignInForm">With <see cref="SignInOptions.Submit"/>: whether the page left the sign-in form; null otherwise.</param>
public sealed record SignInResult(string ItemId, string Label, IReadOnlyList<string> Filled, bool? LeftSignInForm = null);
