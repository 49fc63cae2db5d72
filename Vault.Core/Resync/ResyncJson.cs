using System.Text.Json.Serialization;

namespace Vault.Core.Resync;

/// <summary>Source-generated JSON for resync queue messages.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ResyncMessage))]
internal sealed partial class ResyncJson : JsonSerializerContext;
