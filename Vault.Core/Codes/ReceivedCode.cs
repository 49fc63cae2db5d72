namespace Vault.Core.Codes;

/// <summary>Where a message came in.</summary>
public static class CodeChannel
{
    public const string Email = "email";
    public const string Sms = "sms";
    public const string Push = "push";
}

/// <summary>A message received for a run, as the agent reads it: what was found in it, not the message itself.</summary>
public sealed record ReceivedCode(string Id, string Channel, string? From, string? Subject, string? Code, string? Link, DateTimeOffset ReceivedAt)
{
    public override string ToString() => $"ReceivedCode {{ Id = {Id}, Channel = {Channel}, *** }}";
}

/// <summary>A page of codes after a cursor, and the cursor to ask after next.</summary>
public sealed record CodePage(IReadOnlyList<ReceivedCode> Codes, string Cursor);

/// <summary>A run's inbox: its e-mail address and the account's SMS number, when it has them.</summary>
public sealed record RunInbox(string? Email, string? Sms);
