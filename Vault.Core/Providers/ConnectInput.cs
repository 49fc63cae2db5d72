namespace Vault.Core.Providers;

/// <summary>The raw connect request body, as the contract names its fields.</summary>
public sealed record ConnectInput(
    string Provider,
    string? Token,
    string? ClientId,
    string? ClientSecret,
    string? MasterPassword,
    string? ServerUrl,
    string? Region,
    string? ServerCaCertificate);
