using Vault.Core.Errors;

namespace Vault.Functions.Http;

/// <summary>
/// 400 INVALID_INPUT with one <see cref="InputProblem"/> per problem (the contract's <c>details</c>). The message is built
/// from the problems, so a single-problem error reads "field: problem".
/// </summary>
public sealed class InvalidRequestException : ApiException
{
    public InvalidRequestException(string field, string problem, string kind = InputProblemKind.InvalidFormat)
        : this([new InputProblem(InputPath.Parse(field), kind, problem)])
    {
    }

    public InvalidRequestException(IReadOnlyList<InputProblem> problems)
        : base(ErrorCodes.InvalidInput, Describe(problems))
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("At least one problem is needed.", nameof(problems));
        }

        Problems = problems;
    }

    public IReadOnlyList<InputProblem> Problems { get; }

    /// <summary>The first problem's field, as the caller wrote it (e.g. <c>credential_item_ids[2]</c>).</summary>
    public string Field => InputPath.Format(Problems[0].Path);

    private static string Describe(IReadOnlyList<InputProblem> problems) =>
        string.Join("; ", problems.Select(p => p.Path.Count == 0 ? p.Message : $"{InputPath.Format(p.Path)}: {p.Message}"));
}

/// <summary>One entry of an INVALID_INPUT error's <c>details</c>: where (JSON path as names and indexes), what kind, and a message.</summary>
public sealed record InputProblem(IReadOnlyList<object> Path, string Kind, string Message);

/// <summary>Field paths: <c>a.b[2]</c> ⇄ <c>["a", "b", 2]</c>; "body" (the whole body) is the empty path.</summary>
public static class InputPath
{
    public static IReadOnlyList<object> Parse(string field)
    {
        if (string.IsNullOrEmpty(field) || field is "body" or "$")
        {
            return [];
        }

        var path = new List<object>();
        foreach (var part in field.TrimStart('$', '.').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var rest = part;
            var bracket = rest.IndexOf('[', StringComparison.Ordinal);
            if (bracket != 0)
            {
                path.Add(bracket < 0 ? rest : rest[..bracket]);
            }

            while (bracket >= 0)
            {
                var close = rest.IndexOf(']', bracket);
                if (close < 0)
                {
                    break;
                }

                var inner = rest[(bracket + 1)..close].Trim('\'', '"');
                path.Add(int.TryParse(inner, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index)
                    ? index
                    : inner);
                rest = rest[(close + 1)..];
                bracket = rest.IndexOf('[', StringComparison.Ordinal);
            }
        }

        return path;
    }

    public static string Format(IReadOnlyList<object> path)
    {
        var text = new System.Text.StringBuilder();
        foreach (var segment in path)
        {
            if (segment is int index)
            {
                text.Append('[').Append(index).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }

                text.Append(segment);
            }
        }

        return text.Length == 0 ? "body" : text.ToString();
    }
}
