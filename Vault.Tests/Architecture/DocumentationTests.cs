using System.Text.RegularExpressions;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Architecture;

/// <summary>
/// The docs a newcomer reads point at what exists: every relative link of every Markdown file in the repo resolves to a
/// file inside the repo (and its <c>#anchor</c> to a heading there), and every <c>*.md</c> a source comment cites is
/// in the repo.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed partial class DocumentationTests
{
    private static readonly string[] Skipped = ["node_modules", "bin", "obj", ".git", ".local", ".azurite", "TestResults", "dist"];

    private static IEnumerable<string> RepoFiles(params string[] extensions) =>
        Directory.EnumerateFiles(RepoPaths.Root, "*", SearchOption.AllDirectories)
            .Where(path => extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
            .Where(path => !Path.GetRelativePath(RepoPaths.Root, path).Split(Path.DirectorySeparatorChar).Any(part => Skipped.Contains(part, StringComparer.Ordinal)))
            .Where(path => !path.Contains("Generated", StringComparison.Ordinal) && !path.Contains("generated", StringComparison.Ordinal));

    [GeneratedRegex(@"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex MarkdownLink();

    [GeneratedRegex(@"^#{1,6}\s+(.+?)\s*$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.md\b")]
    private static partial Regex MarkdownFileName();

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Slug(string heading) =>
        new string(heading.Replace("`", "").ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');

    private static HashSet<string> Anchors(string markdownFile) =>
        Heading().Matches(File.ReadAllText(markdownFile)).Select(m => Slug(m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Every_relative_link_in_the_docs_reaches_a_file_in_the_repo()
    {
        var markdown = RepoFiles(".md").ToList();
        Assert.Contains(markdown, f => f.EndsWith(Path.Combine("docs", "architecture.md"), StringComparison.Ordinal));
        var broken = new List<string>();
        var checkedLinks = 0;
        foreach (var file in markdown)
        {
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                var target = link.Groups[1].Success ? link.Groups[1].Value : link.Groups[2].Value;
                if (Uri.TryCreate(target, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "mailto")
                {
                    continue;
                }

                checkedLinks++;
                var hash = target.IndexOf('#');
                var path = hash >= 0 ? target[..hash] : target;
                var anchor = hash >= 0 ? target[(hash + 1)..] : null;
                var resolved = path.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, Uri.UnescapeDataString(path)));
                var where = $"{Path.GetRelativePath(RepoPaths.Root, file)}: {target}";
                if (!resolved.StartsWith(RepoPaths.Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && resolved != RepoPaths.Root)
                {
                    broken.Add(where + " (outside the repo)");
                }
                else if (!File.Exists(resolved) && !Directory.Exists(resolved))
                {
                    broken.Add(where + " (no such file)");
                }
                else if (anchor is { Length: > 0 } && resolved.EndsWith(".md", StringComparison.Ordinal) && !Anchors(resolved).Contains(anchor))
                {
                    broken.Add(where + " (no such heading)");
                }
            }
        }

        Assert.True(checkedLinks > 10, "the check found almost no links: is the pattern still right?");
        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void Every_markdown_file_a_source_comment_cites_is_in_the_repo()
    {
        // A bare file name (as in Path.Combine("docs", "architecture.md")) counts when a repo file has exactly that name.
        var names = RepoFiles(".md").Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var file in RepoFiles(".cs", ".js", ".mjs", ".ts", ".sh", ".py"))
        {
            foreach (Match cited in MarkdownFileName().Matches(File.ReadAllText(file)))
            {
                var name = cited.Value;
                var fromRoot = Path.Combine(RepoPaths.Root, name);
                var fromFile = Path.Combine(Path.GetDirectoryName(file)!, name);
                if (!File.Exists(fromRoot) && !File.Exists(fromFile) && !(name.IndexOf('/') < 0 && names.Contains(name)))
                {
                    missing.Add($"{Path.GetRelativePath(RepoPaths.Root, file)} cites {name}");
                }
            }
        }

        Assert.True(missing.Count == 0, "Cited but not in the repo:\n" + string.Join("\n", missing.Distinct()));
    }
}
