using Vault.Core.Codes;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Codes;

/// <summary>
/// The extraction corpus: verification messages as well-known sites word them (plain text, HTML-only, several
/// languages), each with what a person reading it would call the code and the link. The hit rate is asserted whole.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class CodeExtractionTests
{
    public sealed record Sample(string Name, string? Subject, string? Text, string? Html, string? Code, string? Link);

    public static readonly Sample[] Corpus =
    [
        new("GitHub device verification", "[GitHub] Please verify your device",
            "Hey alice!\n\nA sign in attempt requires further verification because we did not recognize your device. To complete the sign in, enter the verification code on the unrecognized device.\n\nDevice: Chrome on Linux\nVerification code: 482913\n\nIf you did not attempt to sign in to your account, your password may be compromised.\n\nThanks,\nThe GitHub Team", null, "482913", null),
        new("Google verification code", "Your Google verification code",
            null, "<html><body><div style=\"font-size:14px\">Google</div><p>Your Google verification code is:</p><div style=\"font-size:32px;letter-spacing:8px\">G-739104</div><p>Don't share this code with anyone.</p><p>© 2026 Google LLC, 1600 Amphitheatre Parkway</p></body></html>", "G-739104", null),
        new("Microsoft security code", "Microsoft account security code",
            "Microsoft account\n\nSecurity code\n\nPlease use the following security code for the Microsoft account al***@example.com.\n\nSecurity code: 3917\n\nIf you don't recognize the Microsoft account al***@example.com, you can click https://account.live.com/dont/I?mkt=en-US to remove your email address from that account.\n\nThanks,\nThe Microsoft account team", null, "3917", null),
        new("Amazon OTP", "amazon.com: Sign-in attempt",
            "Amazon\n\nSign-in attempt\n\nTo authenticate, please use the following One Time Password (OTP):\n\n620347\n\nDon't share this OTP with anyone. Our customer service team will never ask you for your password, OTP, credit card, or banking info.\n\nWe hope to see you again soon.", null, "620347", null),
        new("Apple ID", "Your Apple ID Code for Sign In",
            null, "<p>Dear Alice,</p><p>Your Apple ID, alice@example.com, was just used to sign in on a new device.</p><p>Your verification code is</p><p><b>571 093</b></p><p>This code will expire in 10 minutes. Apple, One Apple Park Way, Cupertino, CA 95014</p>", "571 093", null),
        new("Slack confirmation code", "Slack confirmation code: QXR-7YB",
            "Confirm your email address\n\nYour confirmation code is below — enter it in your open browser window and we'll help you get signed in.\n\nQXR-7YB\n\nIf you didn't request this email, there's nothing to worry about — you can safely ignore it.", null, "QXR-7YB", null),
        new("Discord magic link", "Verify Email Address for Discord",
            null, "<p>Hey alice,</p><p>Thanks for registering for an account on Discord! Before we get started, we just need to confirm that this is you. Click below to verify your email address:</p><a href=\"https://click.discord.com/ls/click?upn=verify-email-abc123\">Verify Email</a><p>Need help? Contact our support team.</p>", null, "https://click.discord.com/ls/click?upn=verify-email-abc123"),
        new("Stripe sign-in code", "Your Stripe verification code",
            "Your Stripe verification code is 84619203\n\nThis code expires in 10 minutes. If you didn't try to sign in, reset your password at https://dashboard.stripe.com/reset", null, "84619203", null),
        new("AWS email verification", "AWS Email Verification",
            "Amazon Web Services\n\nVerify your identity\n\nThanks for starting the new AWS account creation process. We want to make sure it's really you. Please enter the following verification code when prompted.\n\nVerification code\n\n194726\n\n(This code is valid for 10 minutes)\n\nAmazon Web Services, Inc. is a subsidiary of Amazon.com, Inc. Amazon.com is a registered trademark of Amazon.com, Inc. This message was produced and distributed by Amazon Web Services Inc., 410 Terry Ave. North, Seattle, WA 98109.", null, "194726", null),
        new("Okta verification", "One-time verification code",
            "Hi Alice,\n\nYou have requested an email verification code as part of multi-factor authentication. To continue, enter the following code:\n\n408271\n\nThis code will expire in 5 minutes.\n\nIf you did not request this, contact your administrator.", null, "408271", null),
        new("PayPal SMS", null, "PayPal: Your security code is 927351. Your code expires in 10 minutes. Don't share your code with anyone.", null, "927351", null),
        new("X SMS", null, "Your X confirmation code is 530917. Don't reply to this message with your code.", null, "530917", null),
        new("Facebook SMS", null, "Use 48219 to confirm your account on Facebook. #fb", null, "48219", null),
        new("LinkedIn PIN", "Here's your PIN",
            "Hi Alice,\n\nPlease use this verification code to complete your sign in: 738104\n\nIf you didn't try to sign in, change your password.\n\nThis email was intended for Alice (Engineer). Learn why we included this. © 2026 LinkedIn Corporation, 1000 West Maude Avenue, Sunnyvale, CA 94085.", null, "738104", null),
        new("Netflix sign-in link", "Your sign-in link",
            null, "<p>Hi,</p><p>Tap the button below to sign in to Netflix. This link will expire in 15 minutes.</p><a href=\"https://www.netflix.com/ilum?code=ab12cd34&amp;action=login\">Sign In</a><p>Netflix, Inc., 121 Albright Way, Los Gatos, CA 95032</p>", null, "https://www.netflix.com/ilum?code=ab12cd34&action=login"),
        new("Notion login code", "Your temporary Notion login code is bruising-tulip",
            "Click here to log in with this magic link\nhttps://www.notion.so/loginwithemail?state=xyz&token=abc\n\nOr, copy and paste this temporary login code:\n\n284 951\n\nIf you didn't try to login, you can safely ignore this email.", null, "284 951", "https://www.notion.so/loginwithemail?state=xyz&token=abc"),
        new("Atlassian verify", "Verify your email for Atlassian",
            null, "<h1>You're nearly there!</h1><p>Verify your email address to finish creating your Atlassian account.</p><a href=\"https://id.atlassian.com/signup/verify-email?token=eyJhbGciOi\">Verify your email</a><p>Order of business: none.</p>", null, "https://id.atlassian.com/signup/verify-email?token=eyJhbGciOi"),
        new("Dropbox security code", "Dropbox security code",
            "Your security code is 603 218\n\nEnter this code to sign in to Dropbox. If you didn't request a code, you can ignore this email.", null, "603 218", null),
        new("German Bestätigungscode", "Ihr Bestätigungscode",
            "Hallo Alice,\n\nIhr Bestätigungscode lautet: 719 204\n\nDer Code ist 10 Minuten gültig. Wenn Sie diese Anmeldung nicht angefordert haben, ignorieren Sie diese E-Mail.", null, "719 204", null),
        new("French code de vérification", "Votre code de vérification",
            "Bonjour,\n\nVoici votre code de vérification : 582016\n\nCe code expire dans 10 minutes.", null, "582016", null),
        new("Spanish código", "Tu código de verificación",
            "Hola Alicia,\n\nTu código de verificación es 304918. Caduca en 10 minutos.\n\nSi no lo solicitaste, ignora este mensaje.", null, "304918", null),
        new("Japanese 認証コード", "認証コードのお知らせ",
            "いつもご利用ありがとうございます。\n\n認証コード: 846203\n\nこのコードの有効期限は10分です。", null, "846203", null),
        new("Shop order, no code", "Your order #482913 has shipped",
            "Hi Alice, your order number 4829130 has shipped. Tracking: 1Z999AA10123456784. Total: $59.99. Questions? Call us at 1-800-555-0199.", null, null, null),
        new("Newsletter, no code", "Our November update",
            "Hi Alice,\n\nHere is what happened in November 2026: we shipped 12 features and fixed 340 bugs.\n\n© 2026 Example Inc.\nUnsubscribe: https://news.example.com/unsubscribe?u=123", null, null, null),
        new("Epic Games", "Your Epic Games security code",
            null, "<table><tr><td>Hello,</td></tr><tr><td>Here is the code you need to sign in:</td></tr><tr><td style=\"font-size:40px\">X7K2QP</td></tr><tr><td>If you did not make this request, please reset your password.</td></tr></table>", "X7K2QP", null),
    ];

    public static TheoryData<string> Names => new(Corpus.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Each_message_gives_what_a_reader_would_call_its_code_and_link(string name)
    {
        var sample = Corpus.Single(s => s.Name == name);
        var found = CodeExtractor.Extract(sample.Subject, sample.Text, sample.Html);
        Assert.Equal(sample.Code, found.Code);
        if (sample.Link is not null)
        {
            Assert.Equal(sample.Link, found.Link);
        }
    }

    [Fact]
    public void Extraction_stays_linear_on_a_hostile_message()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var hostile = string.Concat(Enumerable.Repeat("<a href=\"https://x/verify", 2000)) + new string('1', 50_000) + string.Concat(Enumerable.Repeat("code ", 5000));
        CodeExtractor.Extract(hostile, hostile, hostile);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }
}
