using Vault.Core.Errors;
using Vault.Core.Providers;

namespace Vault.Functions.Http;

/// <summary>
/// Which request field a problem Core found in a command is about. Core names its own parameters (a command's
/// property, or one of <see cref="CommandParameters"/>); the wire's field names live here and in the request models.
/// </summary>
public static class CommandFields
{
    private static readonly Dictionary<string, string> Fields = new(StringComparer.Ordinal)
    {
        [nameof(ConnectInput.Provider)] = "provider",
        [nameof(ConnectInput.Token)] = "token",
        [nameof(ConnectInput.ClientId)] = "clientId",
        [nameof(ConnectInput.ClientSecret)] = "clientSecret",
        [nameof(ConnectInput.MasterPassword)] = "masterPassword",
        [nameof(ConnectInput.ServerUrl)] = "serverUrl",
        [nameof(ConnectInput.Region)] = "region",
        [nameof(ConnectInput.ServerCaCertificate)] = "serverCaCertificate",
        [CommandParameters.Site] = "domain",
        [CommandParameters.PageToken] = "pageToken",
        [CommandParameters.CodeCursor] = "after",
        [CommandParameters.PhoneNumber] = "number",
    };

    /// <summary>Every parameter this maps, for the test that keeps it whole.</summary>
    public static IReadOnlyCollection<string> Parameters => Fields.Keys;

    /// <summary>The field of <paramref name="parameter"/>; the whole body when it has none (a mapping is missing).</summary>
    public static string FieldOf(string parameter) => Fields.GetValueOrDefault(parameter, "body");

    public static InvalidRequestException ToRequestError(InvalidCommandException refused) =>
        new(refused.Problems.Select(p => new InputProblem(InputPath.Parse(FieldOf(p.Parameter)), p.Kind, p.Message)).ToList());
}
