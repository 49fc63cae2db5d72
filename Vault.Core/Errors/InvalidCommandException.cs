namespace Vault.Core.Errors;

/// <summary>
/// 400 INVALID_INPUT for a command Core can only judge with what it knows (a provider's credential rules, a page token
/// of another query, a site a whole-vault run must name). Each problem names the command's parameter, never a wire
/// field: the HTTP layer (<c>Vault.Functions/Http/CommandFields.cs</c>) says which field of the request that was.
/// </summary>
public sealed class InvalidCommandException : ApiException
{
    public InvalidCommandException(string parameter, string problem, string kind = InputProblemKind.InvalidFormat)
        : this([new CommandProblem(parameter, kind, problem)])
    {
    }

    public InvalidCommandException(IReadOnlyList<CommandProblem> problems)
        : base(ErrorCodes.InvalidInput, string.Join("; ", problems.Select(p => $"{p.Parameter}: {p.Message}")))
    {
        if (problems.Count == 0)
        {
            throw new ArgumentException("At least one problem is needed.", nameof(problems));
        }

        Problems = problems;
    }

    public IReadOnlyList<CommandProblem> Problems { get; }
}
