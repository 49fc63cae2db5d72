using System.Net;

namespace Vault.Testing.SignIn;

/// <summary>The HTML of the sign-in test sites: login forms as real sites write them, in several languages and shapes.</summary>
internal static class SignInPages
{
    public static string Layout(string title, string body, string lang = "en") => $$"""
        <!doctype html>
        <html lang="{{lang}}"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
        <style>body{font-family:sans-serif;margin:2rem} label{display:block;margin-top:.5rem} .honeypot{position:absolute;left:-9999px}</style>
        </head><body>{{body}}</body></html>
        """;

    /// <summary>One form: username and password, with a search box and a hidden honeypot field that must stay empty.</summary>
    public static string Single(string action, string? error = null) => Layout("Sign in – Bank", $"""
        <header><form action="/search" role="search"><input type="search" name="q" aria-label="Search"></form></header>
        <main><h1>Sign in</h1>{Error(error)}
        <form method="post" action="{action}" id="login">
          <label for="user">Email or username</label><input id="user" name="login" autocomplete="username">
          <input class="honeypot" name="email_confirm" tabindex="-1" autocomplete="off">
          <label for="pass">Password</label><input id="pass" name="password" type="password" autocomplete="current-password">
          <button type="button" aria-label="Show password">👁</button>
          <button type="submit">Sign in</button>
        </form>
        <form action="/newsletter"><label>Newsletter <input type="email" name="news"></label><button>Subscribe</button></form></main>
        """);

    public static string UsernameStep() => Layout("Sign in – Bank", """
        <main><h1>Sign in</h1><form method="post" action="/two-step">
          <label for="email">Email address</label><input id="email" name="identifier" type="email">
          <button type="submit">Next</button>
        </form></main>
        """);

    public static string PasswordStep(string user) => Layout("Enter your password – Bank", $"""
        <main><h1>Welcome {WebUtility.HtmlEncode(user)}</h1><form method="post" action="/two-step/password">
          <input type="hidden" name="identifier" value="{WebUtility.HtmlEncode(user)}">
          <label for="pw">Password</label><input id="pw" name="pw" type="password">
          <button type="submit">Sign in</button>
        </form></main>
        """);

    public static string CodeStep(string action, string label = "Verification code") => Layout("Two-step verification – Bank", $"""
        <main><h1>Two-step verification</h1><form method="post" action="{action}">
          <label for="otp">{label}</label><input id="otp" name="otp" inputmode="numeric" maxlength="6">
          <button type="submit">Verify</button>
        </form></main>
        """);

    /// <summary>A login form in another language with no autocomplete and meaningless names: only the labels tell.</summary>
    public static string Localized(string lang) => lang switch
    {
        "de" => Layout("Anmelden – Bank", """
            <main><h1>Anmelden</h1><form method="post" action="/single">
              <label for="f1">Benutzername</label><input id="f1" name="f1">
              <label for="f2">Passwort</label><input id="f2" name="f2" type="password">
              <button type="submit">Anmelden</button></form></main>
            """, "de"),
        "fr" => Layout("Connexion – Banque", """
            <main><h1>Connexion</h1><form method="post" action="/single">
              <input id="f1" name="f1" placeholder="Identifiant">
              <input id="f2" name="f2" type="password" placeholder="Mot de passe">
              <input type="submit" value="Se connecter"></form></main>
            """, "fr"),
        "ja" => Layout("ログイン – 銀行", """
            <main><h1>ログイン</h1><form method="post" action="/single">
              <div><span id="l1">メールアドレス</span><input aria-labelledby="l1" name="a"></div>
              <div><span id="l2">パスワード</span><input aria-labelledby="l2" name="b" type="password"></div>
              <button type="submit">ログイン</button></form></main>
            """, "ja"),
        _ => throw new ArgumentOutOfRangeException(nameof(lang)),
    };

    /// <summary>A sign-up form (new password twice): not a login form.</summary>
    public static string SignUp() => Layout("Create your account – Bank", """
        <main><h1>Create your account</h1><form method="post" action="/sign-up">
          <label for="e">Email</label><input id="e" name="email" type="email" autocomplete="email">
          <label for="n">New password</label><input id="n" name="new" type="password" autocomplete="new-password">
          <label for="c">Confirm password</label><input id="c" name="confirm" type="password" autocomplete="new-password">
          <button type="submit">Create account</button></form></main>
        """);

    /// <summary>A same-origin login frame that is not shown (a person could not sign in there).</summary>
    public static string HiddenFrame(string src) => Layout("Bank", $"""
        <main><h1>Bank</h1><iframe title="hidden" src="{src}" style="display:none"></iframe></main>
        """);

    public static string Frame(string src) => Layout("Bank", $"""
        <main><h1>Bank</h1><p>Sign in below.</p><iframe title="Sign in" src="{src}" width="500" height="400"></iframe></main>
        """);

    public static string NoForm() => Layout("About – Bank", """
        <header><form action="/search" role="search"><input type="search" name="q" aria-label="Search"></form></header>
        <main><h1>About us</h1><p>We are a bank.</p>
        <form action="/newsletter"><label>Your e-mail <input type="email" name="news"></label><button>Subscribe to our newsletter</button></form></main>
        """);

    public static string Welcome(string user) => Layout("Account – Bank", $"<main><h1>Signed in</h1><p>Hello {WebUtility.HtmlEncode(user)}.</p></main>");

    private static string Error(string? error) => error is null ? string.Empty : $"<p role=\"alert\">{WebUtility.HtmlEncode(error)}</p>";
}
