using System.Text.Json.Serialization;
using Vault.Core.Snapshots;

namespace Vault.Core.Items;

/// <summary>Source-generated JSON for what the item cache stores (each folder keeps its own, so Common depends on none).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ItemData))]
[JsonSerializable(typeof(ItemSecrets))]
internal sealed partial class ItemJson : JsonSerializerContext;
