using Vault.Core.Errors;
using Vault.Core.Runs;

namespace Vault.Functions.Http;

/// <summary>The create-run body checked into the command Core takes: every problem named by its field.</summary>
public static class RunCommands
{
    private const int MaxGoalLength = 10_000;
    private const int MaxUrlLength = 2048;
    private const int MaxItemIdLength = 512;

    public static RunRequest ToCommand(CreateRunRequest body)
    {
        if (body.Url is { } url && !IsHttpUrl(url))
        {
            throw new InvalidRequestException("url", "must be an absolute http(s) URL.");
        }

        if (body.Goal is { Length: > MaxGoalLength })
        {
            throw new InvalidRequestException("goal", $"must be at most {MaxGoalLength} characters.", InputProblemKind.TooLong);
        }

        var ids = body.CredentialItemIds;
        if (ids is { Count: > 0 } && body.UseVault == false)
        {
            throw new InvalidRequestException("use_vault", "must not be false when credential_item_ids are given.", InputProblemKind.NotAllowed);
        }

        if (ids is not null && (ids.Count > RunService.MaxExplicitItems || ids.Any(id => string.IsNullOrWhiteSpace(id) || id.Length > MaxItemIdLength)))
        {
            throw new InvalidRequestException("credential_item_ids", $"must be at most {RunService.MaxExplicitItems} non-empty item ids.", InputProblemKind.TooLong);
        }

        return new RunRequest(body.Url, body.Goal, body.UseVault, ids);
    }

    private static bool IsHttpUrl(string url) =>
        url.Length <= MaxUrlLength && Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
