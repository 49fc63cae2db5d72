namespace Vault.Core.Errors;

/// <summary>
/// Parameters of Core's operations that are not properties of a command record (those are named with <c>nameof</c>):
/// what a problem is about, in Core's words.
/// </summary>
public static class CommandParameters
{
    /// <summary>The site a read is narrowed to.</summary>
    public const string Site = "Site";

    /// <summary>Where a paged read goes on.</summary>
    public const string PageToken = "PageToken";

    /// <summary>The last one-time code a reader has seen.</summary>
    public const string CodeCursor = "CodeCursor";

    /// <summary>An account's SMS number.</summary>
    public const string PhoneNumber = "PhoneNumber";
}
