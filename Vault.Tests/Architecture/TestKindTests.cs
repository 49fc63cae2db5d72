using System.Reflection;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Architecture;

/// <summary>Every test class says what kind of test it is, so <c>--filter Category=Unit</c> runs exactly the fast set.</summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class TestKindTests
{
    [Fact]
    public void Every_test_class_has_exactly_one_known_kind()
    {
        var testClasses = typeof(TestKindTests).Assembly.GetTypes()
            .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly).Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .ToList();
        Assert.True(testClasses.Count > 50, "found almost no test classes: is the check still right?");
        var wrong = testClasses
            .Select(t => (Type: t, Kinds: Traits(t).Where(k => k.Name == TestKind.Trait).Select(k => k.Value).ToList()))
            .Where(c => c.Kinds.Count != 1 || !TestKind.All.Contains(c.Kinds[0]))
            .Select(c => $"{c.Type.FullName}: [{string.Join(", ", c.Kinds)}]")
            .ToList();
        Assert.True(wrong.Count == 0, "Test classes without exactly one Category trait of " + string.Join("/", TestKind.All) + ":\n" + string.Join("\n", wrong));
    }

    /// <summary>A class's [Trait] attributes as xunit reads them: their two constructor arguments.</summary>
    private static IEnumerable<(string Name, string Value)> Traits(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType == typeof(TraitAttribute))
            .Select(a => ((string)a.ConstructorArguments[0].Value!, (string)a.ConstructorArguments[1].Value!));
}
