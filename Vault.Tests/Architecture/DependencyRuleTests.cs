using System.Reflection;
using System.Xml.Linq;
using NetArchTest.Rules;
using Vault.Tests.Infrastructure;
using Vault.Core.Connections.Sync;

namespace Vault.Tests.Architecture;

/// <summary>
/// The dependency rules of docs/architecture.md, checked on the compiled assemblies (NetArchTest reads every type reference,
/// method bodies included): triggers → Core services; Core knows no trigger or HTTP type; Providers know no storage,
/// runs or items; Storage knows no use case; Domains is a leaf; no cycle between Core folders.
/// </summary>
[Trait(TestKind.Trait, TestKind.Unit)]
public sealed class DependencyRuleTests
{
    private static readonly Assembly Core = typeof(Vault.Core.VaultOptions).Assembly;
    private static readonly Assembly Functions = typeof(Vault.Functions.Functions.ConnectionFunctions).Assembly;

    /// <summary>Core's folders, as namespaces (found in the assembly, so a new folder is checked too).</summary>
    private static readonly string[] Folders = Core.GetTypes()
        .Select(t => t.Namespace)
        .Where(ns => ns is not null && ns.StartsWith("Vault.Core.", StringComparison.Ordinal))
        .Select(ns => string.Join('.', ns!.Split('.').Take(3)))
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray();

    private static void AssertHolds(TestResult result, string rule) =>
        Assert.True(result.IsSuccessful, $"{rule} is broken by: {string.Join(", ", result.FailingTypeNames ?? [])}");

    [Fact]
    public void The_folders_are_the_documented_ones()
    {
        // Guards the rules below against a rename that would make them vacuous.
        Assert.Superset(
            new HashSet<string>(["Vault.Core.Accounts", "Vault.Core.Connections", "Vault.Core.Domains", "Vault.Core.Items", "Vault.Core.Providers", "Vault.Core.Resync", "Vault.Core.Runs", "Vault.Core.Snapshots", "Vault.Core.Storage"]),
            new HashSet<string>(Folders));

        // And docs/architecture.md, which these tests cite, describes every one of them.
        var architecture = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "architecture.md"));
        Assert.All(Folders, folder => Assert.Contains($"`{folder["Vault.Core.".Length..]}/`", architecture));
    }

    [Fact]
    public void Core_knows_no_trigger_or_http_type()
    {
        AssertHolds(Types.InAssembly(Core).Should().NotHaveDependencyOnAny("Microsoft.AspNetCore", "Microsoft.Azure.Functions", "Vault.Functions").GetResult(),
            "Core knows no trigger or HTTP type");
        Assert.DoesNotContain(Core.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

        // Nor does it carry ASP.NET Core into every host that uses it.
        var project = XDocument.Load(Path.Combine(RepoPaths.Root, "Vault.Core", "Vault.Core.csproj"));
        Assert.DoesNotContain(project.Descendants("FrameworkReference"), r => ((string?)r.Attribute("Include"))?.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Triggers_call_core_services_not_storage_or_providers()
    {
        AssertHolds(Types.InAssembly(Functions).That().ResideInNamespace("Vault.Functions.Functions").Should().NotHaveDependencyOnAny(
            "Azure.Data.Tables", "Azure.Security.KeyVault", "Vault.Core.Storage", "Vault.Core.Providers",
            "Vault.Core.Connections.ConnectionStore", "Vault.Core.Connections.ProviderCalls", "Vault.Core.Items.ItemStore", "Vault.Core.Connections.Sync.SyncEngine",
            "Vault.Core.Connections.Sync.SnapshotApplier",
            "Vault.Core.Runs.RunStore", "Vault.Core.Runs.AuditLog").GetResult(),
            "Triggers → Core services");
    }

    [Fact]
    public void The_sdks_stand_alone_and_the_plain_client_carries_no_browser()
    {
        // What integrators install must not drag in the service (or, for the plain client, Playwright).
        var client = typeof(Vault.Client.VaultApi).Assembly;
        var signIn = typeof(Vault.Client.Playwright.PageSignIn).Assembly;
        foreach (var sdk in new[] { client, signIn })
        {
            Assert.DoesNotContain(sdk.GetReferencedAssemblies(), a => a.Name!.StartsWith("Vault.Core", StringComparison.Ordinal) || a.Name!.StartsWith("Vault.Functions", StringComparison.Ordinal));
        }

        Assert.DoesNotContain(client.GetReferencedAssemblies(), a => a.Name!.StartsWith("Microsoft.Playwright", StringComparison.Ordinal));
        AssertHolds(Types.InAssembly(typeof(Vault.Cli.VaultCli).Assembly).Should().NotHaveDependencyOnAny("Vault.Core", "Vault.Functions").GetResult(),
            "the CLI is a client of the API, not of Core");
    }

    [Fact]
    public void Core_outside_the_provider_adapters_names_no_http_status()
    {
        // Core speaks in the contract's error codes; Vault.Functions/Http/ErrorStatus.cs turns them into statuses.
        // (Provider adapters talk HTTP to the providers and read their statuses.)
        AssertHolds(Types.InAssembly(Core).That().DoNotResideInNamespace("Vault.Core.Providers")
            .Should().NotHaveDependencyOn("System.Net.HttpStatusCode").GetResult(), "Core names no HTTP status");
    }

    [Fact]
    public void Items_and_runs_know_no_provider_and_snapshots_only_domains()
    {
        AssertHolds(Types.InAssembly(Core).That().ResideInNamespace("Vault.Core.Items").Or().ResideInNamespace("Vault.Core.Runs")
            .Should().NotHaveDependencyOn("Vault.Core.Providers").GetResult(), "Items and runs know no provider");
        var others = Folders.Where(f => f is not ("Vault.Core.Snapshots" or "Vault.Core.Domains")).ToArray();
        AssertHolds(Types.InAssembly(Core).That().ResideInNamespace("Vault.Core.Snapshots").Should().NotHaveDependencyOnAny(others).GetResult(),
            "The snapshot model knows only domains");
    }

    [Fact]
    public void Providers_know_no_storage_runs_or_items()
    {
        AssertHolds(Types.InAssembly(Core).That().ResideInNamespace("Vault.Core.Providers").Should().NotHaveDependencyOnAny(
            "Vault.Core.Storage", "Vault.Core.Runs", "Vault.Core.Items", "Vault.Core.Connections", "Vault.Core.Accounts", "Vault.Core.Resync",
            "Azure.Data.Tables", "Azure.Storage", "Azure.Security.KeyVault").GetResult(),
            "Providers know no storage, no runs, no items table");
    }

    [Fact]
    public void Storage_knows_no_use_case()
    {
        AssertHolds(Types.InAssembly(Core).That().ResideInNamespace("Vault.Core.Storage").Should().NotHaveDependencyOnAny(
            "Vault.Core.Accounts", "Vault.Core.Connections", "Vault.Core.Items", "Vault.Core.Runs", "Vault.Core.Resync", "Vault.Core.Providers",
            "Vault.Core.Domains").GetResult(),
            "Storage knows no use case");
    }

    [Fact]
    public void Domains_is_a_leaf()
    {
        var others = Folders.Where(f => f != "Vault.Core.Domains").ToArray();
        AssertHolds(Types.InAssembly(Core).That().ResideInNamespace("Vault.Core.Domains").Should().NotHaveDependencyOnAny(others).GetResult(),
            "Domains is a leaf");
    }

    [Fact]
    public void No_cycle_between_core_folders()
    {
        var edges = Folders.ToDictionary(f => f, f => Folders.Where(other => other != f && DependsOn(f, other)).ToList(), StringComparer.Ordinal);
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, cycle is null ? null : "Cycle between Core folders: " + string.Join(" → ", cycle));

        // The check itself sees real edges (it is not vacuous).
        Assert.Contains("Vault.Core.Items", edges["Vault.Core.Connections"]);
    }

    [Fact]
    public void One_place_turns_a_stored_connection_into_a_provider_call()
    {
        // Every call of a provider's vault or item-secret read, anywhere in Core, comes from ProviderCalls (lambdas and
        // async state machines are nested types: their outermost type is what counts).
        using var module = Mono.Cecil.ModuleDefinition.ReadModule(Core.Location);
        var callers = module.GetTypes()
            .SelectMany(t => t.Methods)
            .Where(m => m.HasBody)
            .Where(m => m.Body.Instructions.Any(i => i.Operand is Mono.Cecil.MethodReference called
                && called.DeclaringType.FullName == "Vault.Core.Providers.IVaultProvider"
                && called.Name is "ReadVaultAsync" or "ReadItemDetailsAsync"))
            .Select(m => Outermost(m.DeclaringType).FullName)
            .Distinct()
            .ToList();
        Assert.Equal(["Vault.Core.Connections.ProviderCalls"], callers);
    }

    private static Mono.Cecil.TypeDefinition Outermost(Mono.Cecil.TypeDefinition type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    private static bool DependsOn(string folder, string other) =>
        !Types.InAssembly(Core).That().ResideInNamespace(folder).Should().NotHaveDependencyOn(other).GetResult().IsSuccessful;

    /// <summary>A cycle as a path of folders (first = last), or null.</summary>
    private static List<string>? FindCycle(Dictionary<string, List<string>> edges)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges[node])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.Skip(path.IndexOf(next)), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        return edges.Keys.Where(k => state.GetValueOrDefault(k) == 0).Select(Visit).FirstOrDefault(c => c is not null);
    }
}
