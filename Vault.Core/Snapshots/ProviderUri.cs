using Vault.Core.Domains;

namespace Vault.Core.Snapshots;

/// <summary>One URI of an item, with how the password manager matches it to a site.</summary>
public sealed record ProviderUri(string Uri, UriMatch Match = UriMatch.Default);
