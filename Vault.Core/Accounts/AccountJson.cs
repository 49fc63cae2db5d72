using System.Text.Json.Serialization;

namespace Vault.Core.Accounts;

/// <summary>Source-generated JSON for what usage rollup rows store (per-route counts).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class AccountJson : JsonSerializerContext;
