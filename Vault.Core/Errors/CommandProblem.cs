namespace Vault.Core.Errors;

/// <summary>One problem of a command: the parameter (a property of the command, or one of <see cref="CommandParameters"/>), its kind, a message.</summary>
public sealed record CommandProblem(string Parameter, string Kind, string Message);
