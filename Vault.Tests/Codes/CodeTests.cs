using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Vault.Core.Codes;
using Vault.Core.Errors;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Codes;

/// <summary>
/// One-time codes end to end on two hosts sharing tables and secret store: pushes, Mailgun- and Twilio-signed webhooks
/// built as those services build them, the long-poll read waking within a second of arrival on the other host,
/// replay, expiry, revocation and who may read.
/// </summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class CodeTests : IAsyncLifetime
{
    private const string MailgunKey = "key-mailgun-signing-0123456789";
    private const string TwilioToken = "twilio-auth-token-0123456789";
    private const string PublicUrl = "https://vault.example.com";
    private VaultTestHost _first = null!;
    private VaultTestHost _second = null!;

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string>
        {
            ["Vault:LocalSecretKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Vault:Codes:EmailDomain"] = "codes.example.com",
            ["Vault:Codes:MailgunSigningKey"] = MailgunKey,
            ["Vault:Codes:TwilioAuthToken"] = TwilioToken,
            ["Vault:Codes:PublicBaseUrl"] = PublicUrl,
        };
        _first = await VaultTestHost.StartAsync(settings);
        _second = await VaultTestHost.StartAsync(new Dictionary<string, string>(settings) { ["Vault:TablePrefix"] = _first.TablePrefix });
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    private static async Task<JsonNode> CreateRunAsync(VaultTestHost host, string apiKey, bool smsCodes = false) =>
        (await HttpAssert.Status(await host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["url"] = "https://github.com/login", ["smsCodes"] = smsCodes }), 201))!;

    private static async Task<HttpResponseMessage> ReadCodesAsync(VaultTestHost host, JsonNode run, string query = "", string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/codes{query}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? run["runToken"]!.GetValue<string>());
        return await host.Client.SendAsync(request);
    }

    private static FormUrlEncodedContent MailgunForm(string recipient, string subject, string text, string? token = null, long? timestamp = null, string? signature = null)
    {
        var ts = (timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var tok = token ?? Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N")[..18]; // Mailgun's tokens are 50 characters
        return new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["recipient"] = recipient, ["sender"] = "noreply@github.com", ["from"] = "GitHub <noreply@github.com>", ["subject"] = subject,
            ["body-plain"] = text, ["body-html"] = "", ["timestamp"] = ts, ["token"] = tok,
            ["signature"] = signature ?? MailgunSignature.Compute(MailgunKey, ts, tok),
        });
    }

    private static async Task<HttpResponseMessage> PostFormAsync(VaultTestHost host, string path, HttpContent form, string? twilioSignature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        if (twilioSignature is not null)
        {
            request.Headers.Add("X-Twilio-Signature", twilioSignature);
        }

        return await host.Client.SendAsync(request);
    }

    [Fact]
    public async Task A_pushed_code_wakes_a_waiting_reader_on_another_host_within_a_second_and_the_cursor_moves_on()
    {
        var (_, apiKey) = await _first.CreateAccountAsync();
        var run = await CreateRunAsync(_first, apiKey);
        var email = run["inbox"]!["email"]!.GetValue<string>();
        Assert.Matches("^run-[a-z2-7]{21}@codes\\.example\\.com$", email);
        Assert.Null(run["inbox"]!["sms"]?.GetValue<string>());

        var empty = (await HttpAssert.Status(await ReadCodesAsync(_second, run), 200))!;
        Assert.Empty(empty["codes"]!.AsArray());

        var waiting = ReadCodesAsync(_second, run, "?wait=10&after=" + Uri.EscapeDataString(empty["cursor"]!.GetValue<string>()));
        await Task.Delay(500);
        var watch = Stopwatch.StartNew();
        var pushed = (await HttpAssert.Status(await _first.SendAsync(HttpMethod.Post, $"/v1/runs/{run["runId"]}/codes", apiKey,
            new JsonObject { ["text"] = "Your verification code is 482913", ["from"] = "+15550001111" }), 201))!;
        var woke = (await HttpAssert.Status(await waiting, 200))!;
        var wake = watch.Elapsed;
        Assert.True(wake < TimeSpan.FromSeconds(1), $"woke after {wake.TotalMilliseconds:F0} ms");
        var code = Assert.Single(woke["codes"]!.AsArray())!;
        Assert.Equal(pushed["id"]!.GetValue<string>(), code["id"]!.GetValue<string>());
        Assert.Equal(("push", "482913", "+15550001111"), (code["channel"]!.GetValue<string>(), code["code"]!.GetValue<string>(), code["from"]!.GetValue<string>()));

        // After the new cursor: nothing, at once (wait=0).
        var after = (await HttpAssert.Status(await ReadCodesAsync(_first, run, "?after=" + Uri.EscapeDataString(woke["cursor"]!.GetValue<string>())), 200))!;
        Assert.Empty(after["codes"]!.AsArray());

        // The read is on the run's trail; the code is not in any log.
        var audit = (await HttpAssert.Status(await _first.SendAsync(HttpMethod.Get, $"/v1/runs/{run["runId"]}/audit", apiKey), 200))!;
        Assert.Contains(audit["entries"]!.AsArray(), e => e!["itemIds"]!.AsArray().Any(i => i!.GetValue<string>() == code["id"]!.GetValue<string>()));
        Assert.Empty(_first.Logs.Leaked("482913"));
        Assert.Empty(_second.Logs.Leaked("482913"));
    }

    [Fact]
    public async Task Mailgun_signed_mail_reaches_its_run_and_forged_old_or_replayed_requests_are_refused()
    {
        var (_, apiKey) = await _first.CreateAccountAsync();
        var run = await CreateRunAsync(_first, apiKey);
        var email = run["inbox"]!["email"]!.GetValue<string>();
        var token = Guid.NewGuid().ToString("N") + "abcdefghijklmnopqr";

        await HttpAssert.Status(await PostFormAsync(_second, "/v1/inbound/email/mailgun",
            MailgunForm(email, "[GitHub] Please verify your device", "Verification code: 739104\n\nThanks, The GitHub Team", token: token)), 200);
        var codes = (await HttpAssert.Status(await ReadCodesAsync(_first, run), 200))!["codes"]!.AsArray();
        var code = Assert.Single(codes)!;
        Assert.Equal(("email", "739104", "[GitHub] Please verify your device"), (code["channel"]!.GetValue<string>(), code["code"]!.GetValue<string>(), code["subject"]!.GetValue<string>()));

        // The same request again (a replay), a wrong signature, a request older than five minutes: 401, nothing stored.
        await HttpAssert.Error(await PostFormAsync(_first, "/v1/inbound/email/mailgun", MailgunForm(email, "again", "code 111111", token: token)), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await PostFormAsync(_first, "/v1/inbound/email/mailgun", MailgunForm(email, "forged", "code 222222", signature: new string('a', 64))), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await PostFormAsync(_first, "/v1/inbound/email/mailgun",
            MailgunForm(email, "old", "code 333333", timestamp: DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeSeconds())), 401, ErrorCodes.Unauthorized);
        Assert.Single((await HttpAssert.Status(await ReadCodesAsync(_first, run), 200))!["codes"]!.AsArray());

        // Multipart, as Mailgun also posts; an unknown recipient is accepted and dropped, saying nothing.
        var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var multipartToken = Guid.NewGuid().ToString("N");
        var multipart = new MultipartFormDataContent
        {
            { new StringContent(email), "recipient" }, { new StringContent("Slack <no-reply@slack.com>"), "from" },
            { new StringContent("Slack confirmation code: QXR-7YB"), "subject" }, { new StringContent(""), "body-plain" },
            { new StringContent("<p>Your confirmation code is below</p><p>QXR-7YB</p>"), "body-html" },
            { new StringContent(ts), "timestamp" }, { new StringContent(multipartToken), "token" },
            { new StringContent(MailgunSignature.Compute(MailgunKey, ts, multipartToken)), "signature" },
        };
        await HttpAssert.Status(await PostFormAsync(_first, "/v1/inbound/email/mailgun", multipart), 200);
        await HttpAssert.Status(await PostFormAsync(_first, "/v1/inbound/email/mailgun", MailgunForm("run-nobody23456789abcdefg@codes.example.com", "x", "code 444444")), 200);
        var all = (await HttpAssert.Status(await ReadCodesAsync(_first, run), 200))!["codes"]!.AsArray();
        Assert.Equal(["739104", "QXR-7YB"], all.Select(c => c!["code"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Twilio_signed_texts_reach_the_accounts_runs_that_asked_for_sms_codes_only()
    {
        var (accountId, apiKey) = await _first.CreateAccountAsync();
        var number = "+1555" + Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var admin = new Dictionary<string, string> { ["X-Admin-Key"] = VaultTestHost.AdminKey };
        await HttpAssert.Error(await _first.SendRawAsync(HttpMethod.Put, $"/v1/admin/accounts/{accountId}/sms-number", null, "{\"number\":\"555-1234\"}", admin), 400, ErrorCodes.InvalidInput);
        var set = (await HttpAssert.Status(await _first.SendRawAsync(HttpMethod.Put, $"/v1/admin/accounts/{accountId}/sms-number", null, $"{{\"number\":\"{number}\"}}", admin), 200))!;
        Assert.Equal((accountId, number), (set["accountId"]!.GetValue<string>(), set["number"]!.GetValue<string>()));

        var withSms = await CreateRunAsync(_first, apiKey, smsCodes: true);
        var withoutSms = await CreateRunAsync(_first, apiKey);
        Assert.Equal(number, withSms["inbox"]!["sms"]!.GetValue<string>());
        Assert.Equal(number, (await HttpAssert.Status(await _second.SendAsync(HttpMethod.Get, $"/v1/runs/{withSms["runId"]}", apiKey), 200))!["inbox"]!["sms"]!.GetValue<string>());

        var parameters = new Dictionary<string, string>
        {
            ["MessageSid"] = "SM" + Guid.NewGuid().ToString("N"), ["AccountSid"] = "AC" + Guid.NewGuid().ToString("N"), ["From"] = "+15550009999",
            ["To"] = number, ["Body"] = "PayPal: Your security code is 927351. Your code expires in 10 minutes.", ["NumMedia"] = "0",
        };
        var signature = TwilioSignature.Compute(TwilioToken, PublicUrl + "/v1/inbound/sms/twilio", parameters);
        var answer = await PostFormAsync(_second, "/v1/inbound/sms/twilio", new FormUrlEncodedContent(parameters), signature);
        Assert.Equal(200, (int)answer.StatusCode);
        Assert.Equal("text/xml", answer.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<Response/>", await answer.Content.ReadAsStringAsync());
        await HttpAssert.Error(await PostFormAsync(_second, "/v1/inbound/sms/twilio", new FormUrlEncodedContent(parameters), signature[..^2] + "AA"), 401, ErrorCodes.Unauthorized);

        var code = Assert.Single((await HttpAssert.Status(await ReadCodesAsync(_first, withSms), 200))!["codes"]!.AsArray())!;
        Assert.Equal(("sms", "927351", "+15550009999"), (code["channel"]!.GetValue<string>(), code["code"]!.GetValue<string>(), code["from"]!.GetValue<string>()));
        Assert.Empty((await HttpAssert.Status(await ReadCodesAsync(_first, withoutSms), 200))!["codes"]!.AsArray());

        await HttpAssert.Status(await _first.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}/sms-number", null, null, admin), 204);
        await HttpAssert.Error(await _first.SendRawAsync(HttpMethod.Delete, $"/v1/admin/accounts/{accountId}/sms-number", null, null, admin), 404, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task Only_the_runs_own_token_reads_its_codes_and_a_revoke_drops_the_inbox()
    {
        var (_, apiKey) = await _first.CreateAccountAsync();
        var run = await CreateRunAsync(_first, apiKey);
        var other = await CreateRunAsync(_first, apiKey);
        await HttpAssert.Status(await _first.SendAsync(HttpMethod.Post, $"/v1/runs/{run["runId"]}/codes", apiKey, new JsonObject { ["text"] = "code 604217" }), 201);

        await HttpAssert.Error(await ReadCodesAsync(_first, run, token: other["runToken"]!.GetValue<string>()), 401, ErrorCodes.Unauthorized);
        using (var withKey = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/codes"))
        {
            withKey.Headers.Add("X-API-Key", apiKey);
            await HttpAssert.Error(await _first.Client.SendAsync(withKey), 401, ErrorCodes.Unauthorized);
        }

        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Post, $"/v1/runs/{run["runId"]}/codes", apiKey, new JsonObject { ["from"] = "x" }), 400, ErrorCodes.InvalidInput);
        var (_, strangerKey) = await _first.CreateAccountAsync("stranger");
        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Post, $"/v1/runs/{run["runId"]}/codes", strangerKey, new JsonObject { ["text"] = "x" }), 404, ErrorCodes.NotFound);

        await HttpAssert.Status(await _first.SendAsync(HttpMethod.Delete, $"/v1/runs/{run["runId"]}", apiKey), 204);
        await HttpAssert.Error(await ReadCodesAsync(_second, run), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await _first.SendAsync(HttpMethod.Post, $"/v1/runs/{run["runId"]}/codes", apiKey, new JsonObject { ["text"] = "x" }), 404, ErrorCodes.NotFound);
        var revoked = (await HttpAssert.Status(await _first.SendAsync(HttpMethod.Get, $"/v1/runs/{run["runId"]}", apiKey), 200))!;
        Assert.Null(revoked["inbox"]!["email"]?.GetValue<string>());
        await HttpAssert.Status(await PostFormAsync(_first, "/v1/inbound/email/mailgun", MailgunForm(run["inbox"]!["email"]!.GetValue<string>(), "x", "code 700001")), 200);
        await HttpAssert.Error(await ReadCodesAsync(_first, run, "?after=bogus"), 401, ErrorCodes.Unauthorized);
        await HttpAssert.Error(await ReadCodesAsync(_first, other, "?after=bm9wZQ"), 400, ErrorCodes.InvalidInput);
        await HttpAssert.Error(await ReadCodesAsync(_first, other, "?wait=31"), 400, ErrorCodes.InvalidInput);
    }
}

/// <summary>Codes are kept ten minutes: on a moved clock, an older one is gone.</summary>
[Trait(TestKind.Trait, TestKind.Storage)]
public sealed class CodeRetentionTests : Vault.Tests.Api.ApiTestBase
{
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    protected override Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock => _clock;

    [Fact]
    public async Task A_code_older_than_ten_minutes_is_no_longer_served()
    {
        var (_, apiKey) = await Host.CreateAccountAsync();
        var run = (await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["url"] = "https://x.example.com" }), 201))!;
        await HttpAssert.Status(await Host.SendAsync(HttpMethod.Post, $"/v1/runs/{run["runId"]}/codes", apiKey, new JsonObject { ["text"] = "code 551234" }), 201);

        async Task<int> CountAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/codes");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
            return (await HttpAssert.Status(await Host.Client.SendAsync(request), 200))!["codes"]!.AsArray().Count;
        }

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(1, await CountAsync());
        _clock.Advance(TimeSpan.FromMinutes(1.5));
        Assert.Equal(0, await CountAsync());
    }
}

/// <summary>Mail through the standalone SMTP listener, sent with a real client (MailKit): MIME parsed, only live run addresses taken.</summary>
[Trait(TestKind.Trait, TestKind.Http)]
public sealed class SmtpInboxTests : IAsyncLifetime
{
    private readonly int _port = FreePort();
    private VaultTestHost _host = null!;

    public async Task InitializeAsync() => _host = await VaultTestHost.StartAsync(new Dictionary<string, string>
    {
        ["Vault:Codes:EmailDomain"] = "codes.example.com",
        ["Vault:Codes:SmtpPort"] = _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task SendAsync(MimeKit.MimeMessage message)
    {
        using var client = new MailKit.Net.Smtp.SmtpClient();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await client.ConnectAsync("127.0.0.1", _port, MailKit.Security.SecureSocketOptions.None);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (attempt < 20)
            {
                await Task.Delay(100); // the listener starts with the host
            }
        }

        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    [Fact]
    public async Task A_quoted_printable_multipart_mail_and_a_base64_html_mail_reach_their_run_and_strangers_are_refused()
    {
        var (_, apiKey) = await _host.CreateAccountAsync();
        var run = (await HttpAssert.Status(await _host.SendAsync(HttpMethod.Post, "/v1/runs", apiKey, new JsonObject { ["url"] = "https://github.com" }), 201))!;
        var address = run["inbox"]!["email"]!.GetValue<string>();

        var multipart = new MimeKit.MimeMessage();
        multipart.From.Add(new MimeKit.MailboxAddress("Ihr Konto", "noreply@bank.example.de"));
        multipart.To.Add(MimeKit.MailboxAddress.Parse(address));
        multipart.Subject = "Ihr Bestätigungscode";
        var text = new MimeKit.TextPart("plain") { Text = "Hallo,\n\nIhr Bestätigungscode lautet: 719 204\n\nDer Code ist 10 Minuten gültig." };
        text.ContentTransferEncoding = MimeKit.ContentEncoding.QuotedPrintable;
        var html = new MimeKit.TextPart("html") { Text = "<p>Ihr Bestätigungscode lautet: <b>719 204</b></p>" };
        multipart.Body = new MimeKit.Multipart("alternative") { text, html };
        await SendAsync(multipart);

        var htmlOnly = new MimeKit.MimeMessage();
        htmlOnly.From.Add(MimeKit.MailboxAddress.Parse("info@account.netflix.com"));
        htmlOnly.To.Add(MimeKit.MailboxAddress.Parse(address));
        htmlOnly.Subject = "Your sign-in link";
        htmlOnly.Body = new MimeKit.TextPart("html")
        {
            Text = "<p>Tap the button below to sign in.</p><a href=\"https://www.netflix.com/ilum?code=ab12&amp;action=login\">Sign In</a>",
            ContentTransferEncoding = MimeKit.ContentEncoding.Base64,
        };
        await SendAsync(htmlOnly);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/runs/{run["runId"]}/codes");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", run["runToken"]!.GetValue<string>());
        var codes = (await HttpAssert.Status(await _host.Client.SendAsync(request), 200))!["codes"]!.AsArray();
        Assert.Equal(2, codes.Count);
        Assert.Equal(("email", "719 204"), (codes[0]!["channel"]!.GetValue<string>(), codes[0]!["code"]!.GetValue<string>()));
        Assert.Equal("https://www.netflix.com/ilum?code=ab12&action=login", codes[1]!["link"]!.GetValue<string>());
        Assert.Equal("Ihr Konto <noreply@bank.example.de>", codes[0]!["from"]!.GetValue<string>());
        Assert.Equal("info@account.netflix.com", codes[1]!["from"]!.GetValue<string>());

        // An address that is no live run's is refused at RCPT TO.
        var stranger = new MimeKit.MimeMessage();
        stranger.From.Add(MimeKit.MailboxAddress.Parse("x@example.com"));
        stranger.To.Add(MimeKit.MailboxAddress.Parse("run-nobody23456789abcdefg@codes.example.com"));
        stranger.Subject = "code";
        stranger.Body = new MimeKit.TextPart("plain") { Text = "code 123456" };
        await Assert.ThrowsAnyAsync<MailKit.Net.Smtp.SmtpCommandException>(() => SendAsync(stranger));
    }
}
