using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Vault.Core.Errors;
using Vault.Core.Providers;
using Vault.Functions.Http;
using Vault.Tests.Infrastructure;

namespace Vault.Tests.Architecture;

/// <summary>
/// Requests are checked at the edge (Vault.Functions/Http) into commands; Core names its own parameters, never a
/// request's field, and the edge knows the field of every parameter Core can name.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class InputAtTheEdgeTests
{
    private static readonly string[] WireFields =
    [
        "provider", "token", "clientId", "clientSecret", "masterPassword", "serverUrl", "region", "serverCaCertificate",
        "domain", "pageToken", "after", "number", "goal", "url", "use_vault", "credential_item_ids", "enabled", "limit", "wait",
    ];

    [Fact]
    public void Core_builds_no_input_problem_from_a_wire_field_name()
    {
        var problemTypes = new[] { typeof(InvalidCommandException).FullName, typeof(CommandProblem).FullName };
        using var module = Mono.Cecil.ModuleDefinition.ReadModule(typeof(Vault.Core.VaultOptions).Assembly.Location);
        // The parameter is the first of the problem's arguments: a string loaded just before the constructor call.
        var offenders = module.GetTypes()
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody)
            .SelectMany(m => m.Body.Instructions
                .Select((instruction, index) => (instruction, index))
                .Where(x => x.instruction.OpCode == Mono.Cecil.Cil.OpCodes.Newobj && x.instruction.Operand is Mono.Cecil.MethodReference ctor
                    && problemTypes.Contains(ctor.DeclaringType.FullName))
                .SelectMany(x => m.Body.Instructions.Skip(Math.Max(0, x.index - 8)).Take(Math.Min(8, x.index)))
                .Where(i => i.OpCode == Mono.Cecil.Cil.OpCodes.Ldstr && WireFields.Contains((string)i.Operand, StringComparer.Ordinal))
                .Select(i => $"{m.DeclaringType.FullName}.{m.Name}: \"{i.Operand}\""))
            .ToList();
        Assert.Empty(offenders);
    }

    [Fact]
    public void Every_parameter_core_can_name_has_its_request_field()
    {
        var parameters = typeof(ConnectInput).GetProperties().Select(p => p.Name)
            .Concat(typeof(CommandParameters).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (string)f.GetValue(null)!))
            .ToList();
        Assert.Equal(parameters.Order(StringComparer.Ordinal), CommandFields.Parameters.Order(StringComparer.Ordinal));

        // A connect parameter's field is the connect body's own JSON name for it.
        var connectBody = (JsonTypeInfo)ApiJson.Default.GetTypeInfo(typeof(ConnectRequest))!;
        foreach (var property in typeof(ConnectInput).GetProperties())
        {
            var json = connectBody.Properties.Single(p => (p.AttributeProvider as MemberInfo)?.Name == property.Name);
            Assert.Equal(json.Name, CommandFields.FieldOf(property.Name));
        }
    }

    [Fact]
    public void A_problem_core_names_is_answered_with_the_field()
    {
        var error = CommandFields.ToRequestError(new InvalidCommandException(
            [new CommandProblem(nameof(ConnectInput.ClientId), InputProblemKind.Required, "is required."),
             new CommandProblem(CommandParameters.PageToken, InputProblemKind.InvalidFormat, "is not a page token of this query.")]));
        Assert.Equal(["clientId", "pageToken"], error.Problems.Select(p => InputPath.Format(p.Path)));
        Assert.Equal("clientId: is required.; pageToken: is not a page token of this query.", error.Message);
    }
}
