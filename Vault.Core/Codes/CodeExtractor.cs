using System.Net;
using System.Text.RegularExpressions;

namespace Vault.Core.Codes;

/// <summary>What a person reading a verification message would call its code and its sign-in link.</summary>
public sealed record ExtractedCode(string? Code, string? Link);

/// <summary>
/// Finds the one-time code and the verification link in a message the way a reader does: a code is 4–10 digits (or a
/// site's letter-digit form such as <c>G-123456</c> or <c>ABCD-EFGH</c>) near a word that says "code" in one of several
/// languages, or standing alone on its line, or in the subject; years, prices, phone numbers, order numbers and
/// digits inside links are not codes. A link is the first http(s) URL whose text or path speaks of verifying,
/// confirming, signing in or magic links. Every pattern runs on the non-backtracking engine: message text is the
/// sender's, so it must not be able to make matching slow.
/// </summary>
public static class CodeExtractor
{
    private const int MaxText = 100_000;

    // Words that announce a code, in the languages sites send verification mail in most.
    private const string CodeWords =
        "code|codes|otp|pin|passcode|password|verification|verify|security|one-time|one time|token|confirm|" +
        "código|codigo|code de|vérification|verification|bestätigungscode|sicherheitscode|verifizierungscode|anmeldecode|" +
        "codice|verifica|kod|weryfikac|код|验证码|驗證碼|認証コード|確認コード|인증|코드|rakam|doğrulama|verificatie|bevestigingscode|kode|kodu";

    private const RegexOptions Linear = RegexOptions.NonBacktracking | RegexOptions.CultureInvariant;

    // Candidates: G-123456, ABCD-EFGH, 123 456 / 123-456, or 4–10 digits, standing as a word of their own. Lookarounds
    // are not available on the linear engine, so the boundaries are checked in code.
    private static readonly Regex CandidatePattern = new(@"[A-Z]-\d{4,8}|[A-Z0-9]{3,5}-[A-Z0-9]{3,5}|\d{3}[ \-]\d{3}|\d{4,10}|[A-Z0-9]{6,8}", Linear);
    private static readonly Regex UrlPattern = new(@"https?://[^\s""'<>\)\]]+", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex LinkWords = new(
        "verif|confirm|sign[-_ ]?in|log[-_ ]?in|magic|auth|activate|validate|token|otp|passwordless|device", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex StyleBlocks = new(@"<style[^>]*>[^<]*</style>", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex Tags = new(@"<[^>]*>", Linear);
    private static readonly Regex Breaks = new(@"<(br|/p|/div|/tr|/h\d|/li|/td|/table)[^>]*>", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex Anchors = new(@"<a\s[^>]*href\s*=\s*[""']([^""']+)[""'][^>]*>([^<]*(<[^/][^>]*>[^<]*)*)</a>", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex CodeWordPattern = new("(" + CodeWords + ")", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex NotCodeContext = new(@"order|invoice|tracking|account number|phone|tel\b|call us|zip|reference|ref\.|ticket", Linear | RegexOptions.IgnoreCase);
    private static readonly Regex DateContext = new(
        @"copyright|\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\d{1,2}[./]\d{1,2}[./]", Linear | RegexOptions.IgnoreCase);

    public static ExtractedCode Extract(string? subject, string? text, string? html)
    {
        subject = Clip(subject);
        var body = Clip(text);
        html = Clip(html);
        if (string.IsNullOrWhiteSpace(body) && html is not null)
        {
            body = HtmlToText(html);
        }

        body ??= string.Empty;
        return new ExtractedCode(FindCode(subject, body), FindLink(body, html));
    }

    /// <summary>The visible text of an HTML body: tags gone, entities decoded, blocks on their own lines.</summary>
    public static string HtmlToText(string html)
    {
        var blocks = Breaks.Replace(StyleBlocks.Replace(html, " "), "\n");
        return WebUtility.HtmlDecode(Tags.Replace(blocks, " "));
    }

    private static string? FindCode(string? subject, string body)
    {
        var best = (Score: 0, Code: (string?)null);
        foreach (var (source, weight) in new[] { (body, 0), (subject ?? string.Empty, 1) })
        {
            var lines = source.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i];
                foreach (Match match in CandidatePattern.Matches(line))
                {
                    var candidate = match.Value;
                    if (!StandsAlone(line, match.Index, candidate.Length) || !LooksLikeCode(candidate, line, match.Index))
                    {
                        continue;
                    }

                    var score = Score(candidate, line, match.Index, i > 0 ? lines[i - 1] : string.Empty, i > 1 ? lines[i - 2] : string.Empty) + weight;
                    if (lines.Length == 1 && line.Length <= 200)
                    {
                        score++; // a text message: one short line, and codes are what they carry
                    }

                    if (score > best.Score)
                    {
                        best = (score, candidate);
                    }
                }
            }
        }

        return best.Score >= 3 ? best.Code : null;
    }

    /// <summary>Not part of a longer word or number (the boundaries the linear engine cannot look at).</summary>
    private static bool StandsAlone(string line, int index, int length)
    {
        static bool Joins(char c) => char.IsLetterOrDigit(c) || c is '-' or '_';
        return (index == 0 || !Joins(line[index - 1])) && (index + length >= line.Length || !Joins(line[index + length]));
    }

    private static bool LooksLikeCode(string candidate, string line, int index)
    {
        var digits = candidate.Count(char.IsAsciiDigit);
        if (digits == 0 && !candidate.Contains('-', StringComparison.Ordinal))
        {
            return false;
        }

        // Letters and digits mixed without a dash (X7K2QP) only when set apart on a line of their own.
        if (!candidate.Contains('-', StringComparison.Ordinal) && candidate.Any(char.IsAsciiLetter) &&
            line.Trim().Trim('*', '"', '\'', '.', ':') != candidate)
        {
            return false;
        }

        // Not inside a URL, an e-mail address, a time or a price.
        var before = line[..index];
        var lastSpace = before.LastIndexOfAny([' ', '\t', '(', '<', '>']);
        var word = line[(lastSpace + 1)..Math.Min(line.Length, index + candidate.Length + 1)];
        if (word.Contains("://", StringComparison.Ordinal) || word.Contains('@', StringComparison.Ordinal) || word.Contains('/', StringComparison.Ordinal))
        {
            return false;
        }

        var previous = index > 0 ? line[index - 1] : ' ';
        var next = index + candidate.Length < line.Length ? line[index + candidate.Length] : ' ';
        if (previous is '$' or '€' or '£' or '#' or '+' or ':' or '.' or ',' || next is ':' or '%' or '€' or ',' && index + candidate.Length + 1 < line.Length && char.IsAsciiDigit(line[index + candidate.Length + 1]))
        {
            return false;
        }

        // A year in a date or a copyright line is not a code.
        if (candidate.Length == 4 && int.TryParse(candidate, out var year) && year is >= 1990 and <= 2099 &&
            (line.Contains('©', StringComparison.Ordinal) || DateContext.IsMatch(line)))
        {
            return false;
        }

        return true;
    }

    private static int Score(string candidate, string line, int index, string previousLine, string lineBefore)
    {
        var score = 0;
        var near = line[..index];
        if (ContainsCodeWord(near[Math.Max(0, near.Length - 80)..]))
        {
            score += 3;
        }
        else if (ContainsCodeWord(line))
        {
            score += 2;
        }
        else if (ContainsCodeWord(previousLine) || ContainsCodeWord(lineBefore))
        {
            score += 2;
        }

        // Alone on its line, as mails set codes apart.
        if (line.Trim().Trim('*', '"', '\'', '.', ':').Replace(" ", string.Empty, StringComparison.Ordinal) == candidate.Replace(" ", string.Empty, StringComparison.Ordinal))
        {
            score += 2;
        }

        var digits = candidate.Count(char.IsAsciiDigit);
        if (digits is 6 or 8)
        {
            score += 1;
        }

        if (NotCodeContext.IsMatch(line))
        {
            score -= 3;
        }

        return score;
    }

    private static bool ContainsCodeWord(string text) => CodeWordPattern.IsMatch(text);

    private static string? FindLink(string body, string? html)
    {
        if (html is not null)
        {
            foreach (Match anchor in Anchors.Matches(html))
            {
                var href = WebUtility.HtmlDecode(anchor.Groups[1].Value);
                var label = Tags.Replace(anchor.Groups[2].Value, " ");
                if (href.StartsWith("http", StringComparison.OrdinalIgnoreCase) && (LinkWords.IsMatch(label) || LinkWords.IsMatch(PathOf(href))))
                {
                    return href;
                }
            }
        }

        foreach (Match url in UrlPattern.Matches(body))
        {
            var value = url.Value.TrimEnd('.', ',', ';');
            if (LinkWords.IsMatch(PathOf(value)))
            {
                return value;
            }
        }

        return null;
    }

    private static string PathOf(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.PathAndQuery : url;

    private static string? Clip(string? text) => text is { Length: > MaxText } ? text[..MaxText] : text;
}
