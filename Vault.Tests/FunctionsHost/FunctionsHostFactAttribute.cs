namespace Vault.Tests.FunctionsHost;

/// <summary>A test that needs the Functions host: reported skipped, with the reason, when no host is found.</summary>
public sealed class FunctionsHostFactAttribute : FactAttribute
{
    public FunctionsHostFactAttribute() => Skip = FunctionsHostLocator.SkipReason;
}

/// <summary>A theory that needs the Functions host: reported skipped, with the reason, when no host is found.</summary>
public sealed class FunctionsHostTheoryAttribute : TheoryAttribute
{
    public FunctionsHostTheoryAttribute() => Skip = FunctionsHostLocator.SkipReason;
}
