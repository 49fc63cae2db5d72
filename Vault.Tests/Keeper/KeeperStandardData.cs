using Vault.Testing.Keeper;

namespace Vault.Tests.Keeper;

/// <summary>
/// The standard application: records shared directly and through two shared folders, one record for each field type
/// that carries a login (login, email, password, url, custom url, oneTimeCode), TOTP seeds of several algorithms,
/// Unicode, records without a URL, and one that does not decrypt.
/// </summary>
internal sealed class KeeperStandardData
{
    public const string GitHubPassword = "gh-Keeper-S3cret!";
    public const string GitHubTotp = "otpauth://totp/GitHub:octo-keeper?secret=JBSWY3DPEHPK3PXP&issuer=GitHub";
    public const string AwsTotp = "otpauth://totp/AWS:ops?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&algorithm=SHA256&digits=8&period=60";
    public const string UnicodePassword = "pässwörd-日本-🔑";

    public required FakeKeeperApplication Application { get; init; }
    public required FakeKeeperFolder Ops { get; init; }
    public required FakeKeeperFolder Unicode { get; init; }
    public required FakeKeeperRecord GitHub { get; init; }
    public required FakeKeeperRecord EmailOnly { get; init; }
    public required FakeKeeperRecord NoUrl { get; init; }
    public required FakeKeeperRecord Aws { get; init; }
    public required FakeKeeperRecord Database { get; init; }
    public required FakeKeeperRecord CustomUrl { get; init; }
    public required FakeKeeperRecord Jira { get; init; }
    public required FakeKeeperRecord Broken { get; init; }

    /// <summary>Records that become items (a URL, and data that decrypts).</summary>
    public IEnumerable<FakeKeeperRecord> Logins => [GitHub, EmailOnly, Aws, CustomUrl, Jira];

    public static KeeperStandardData Seed(FakeKeeperApplication app)
    {
        var github = app.Share(FakeKeeperApplication.Login("GitHub", "octo-keeper", GitHubPassword,
            ["https://github.com/login", "https://gist.github.com"], GitHubTotp, ("Environment", "production"), ("Team", "platform")));
        var emailOnly = app.Share(FakeKeeperRecord.RecordData("login", "Newsletter",
            [FakeKeeperRecord.Field("email", "alice@example.org"), FakeKeeperRecord.Field("password", "news-pw-42"), FakeKeeperRecord.Field("url", "https://news.example.org/signin")]));
        var noUrl = app.Share(FakeKeeperRecord.RecordData("encryptedNotes", "Door code", [FakeKeeperRecord.Field("note", "door-1234")]));
        var ops = app.Folder("Ops");
        var aws = new FakeKeeperRecord { Data = FakeKeeperApplication.Login("AWS Console", "ops@acme.example", "aws-Pa55-Zq9", ["https://console.aws.amazon.com"], AwsTotp) };
        var database = new FakeKeeperRecord
        {
            Data = FakeKeeperRecord.RecordData("databaseCredentials", "Orders DB",
                [FakeKeeperRecord.Field("text", "postgresql"), FakeKeeperRecord.Field("login", "orders"), FakeKeeperRecord.Field("password", "db-pw-777")]),
        };
        var customUrl = new FakeKeeperRecord
        {
            Data = FakeKeeperRecord.RecordData("serverCredentials", "Build server",
                [FakeKeeperRecord.Field("login", "ci-bot"), FakeKeeperRecord.Field("password", "ci-pw-909")],
                [FakeKeeperRecord.Labelled("url", "Dashboard", "https://ci.example.com/login"), FakeKeeperRecord.Labelled("text", "Region", "eu-west")]),
        };
        var broken = new FakeKeeperRecord { Data = FakeKeeperApplication.Login("Broken", "x", "broken-pw-1", ["https://broken.example.com"]), Undecryptable = true };
        ops.Records.AddRange([aws, database, customUrl, broken]);
        var unicode = app.Folder("Développement 🚀");
        var jira = new FakeKeeperRecord { Data = FakeKeeperApplication.Login("Jira — 日本", "ユーザー", UnicodePassword, ["https://bücher.example/login"]) };
        unicode.Records.Add(jira);
        return new KeeperStandardData
        {
            Application = app, Ops = ops, Unicode = unicode, GitHub = github, EmailOnly = emailOnly, NoUrl = noUrl, Aws = aws,
            Database = database, CustomUrl = customUrl, Jira = jira, Broken = broken,
        };
    }

    public IEnumerable<string> SecretStrings() =>
        [GitHubPassword, "JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "news-pw-42", "aws-Pa55-Zq9", "db-pw-777", "ci-pw-909", UnicodePassword, "door-1234"];
}
