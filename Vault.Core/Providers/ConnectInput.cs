namespace Vault.Core.Providers;

/// <summary>What a connect asks for, as given: each provider checks the parts it uses and names a problem by these properties.</summary>
public sealed record ConnectInput(
    string Provider,
    string? Token,
    string? ClientId,
    string? ClientSecret,
    string? MasterPassword,
    string? ServerUrl,
    string? Region,
    string? ServerCaCertificate);
