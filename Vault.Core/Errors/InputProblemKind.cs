namespace Vault.Core.Errors;

/// <summary>The contract's detail codes (docs/api.md, "Errors").</summary>
public static class InputProblemKind
{
    public const string Required = "required";
    public const string InvalidType = "invalid_type";
    public const string InvalidFormat = "invalid_format";
    public const string TooLong = "too_long";
    public const string OutOfRange = "out_of_range";
    public const string NotAllowed = "not_allowed";
    public const string InvalidJson = "invalid_json";
}
