using System.Text.Json.Serialization;

namespace Vault.Core.Runs;

/// <summary>Source-generated JSON for what run and audit rows store.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<GrantedCredential>))]
internal sealed partial class RunJson : JsonSerializerContext;
