using System.Text.Json.Serialization;
using Vault.Core.Items;
using Vault.Core.Providers;

namespace Vault.Core.Common;

/// <summary>Source-generated JSON for what Core stores in tables.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ItemData))]
[JsonSerializable(typeof(ItemSecrets))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(Dictionary<string, long>))]
[JsonSerializable(typeof(Connections.ConnectionError))]
[JsonSerializable(typeof(List<Runs.GrantedCredential>))]
[JsonSerializable(typeof(Resync.ResyncMessage))]
internal sealed partial class CoreJson : JsonSerializerContext;
