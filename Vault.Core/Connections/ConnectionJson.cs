using System.Text.Json.Serialization;

namespace Vault.Core.Connections;

/// <summary>Source-generated JSON for what a connection row stores.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(ConnectionError))]
internal sealed partial class ConnectionJson : JsonSerializerContext;
