using System.Text.Json.Nodes;
using static Vault.Functions.OpenApi.OpenApiSpec;

namespace Vault.Functions.OpenApi;

/// <summary>The run routes of the document.</summary>
internal static class RunPaths
{
    public static IEnumerable<(string Path, JsonObject Item)> Build()
    {
        yield return ("/v1/runs", new JsonObject
        {
            ["post"] = Op("Start a run granted exactly the chosen credentials (or, with use_vault alone, every enabled item, read by domain)", "apiKey",
                Body(Ref("RunRequest")),
                Responses(("201", "Created; the run token is shown once", Ref("RunCreated")), ("400", "invalid_request or unknown_credential_item", Ref("Error")),
                    ("401", "unauthorized", Ref("Error")), ("429", "rate_limited", Ref("Error")))),
        });
        yield return ("/v1/runs/{runId}", new JsonObject
        {
            ["get"] = Op("A run, without its token", "apiKey", null,
                Responses(("200", "The run", Ref("Run")), ("401", "unauthorized", Ref("Error")), ("404", "not_found", Ref("Error"))), PathParam("runId")),
        });
        yield return ("/v1/runs/{runId}/credentials", new JsonObject
        {
            ["get"] = Op("The run's granted credentials with secrets and current TOTP codes (audited before anything leaves)", "runToken", null,
                Responses(("200", "Credentials", Ref("RunCredentials")), ("400", "invalid_request (domain required for use_vault runs)", Ref("Error")),
                    ("401", "unauthorized", Ref("Error")), ("503", "vault_unavailable (audit or provider failed; nothing returned)", Ref("Error"))),
                PathParam("runId"), QueryParam("domain", Str(), "narrows to items matching this site (URI match rules honoured)")),
        });
    }
}
