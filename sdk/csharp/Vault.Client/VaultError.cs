using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;

namespace Vault.Client;

/// <summary>
/// The contract's error body (<c>{"error": {"code", "message", "requestId"}}</c>) of a failed call, read from the
/// exception Kiota throws, whatever the generated error model is named.
/// </summary>
public sealed record VaultError(int Status, string Code, string Message, string? RequestId)
{
    /// <summary>Status 0: the service could not be reached.</summary>
    public const string Unreachable = "UNREACHABLE";

    /// <summary>Describes a failed call, or null when <paramref name="exception"/> is not one.</summary>
    public static VaultError? From(Exception exception)
    {
        switch (exception)
        {
            case ApiException api:
                JsonNode? error = null;
                if (api is IParsable body)
                {
                    using var writer = new JsonSerializationWriter();
                    writer.WriteObjectValue(null, body);
                    using var json = writer.GetSerializedContent();
                    error = JsonNode.Parse(json)?["error"];
                }

                return new VaultError(
                    api.ResponseStatusCode,
                    error?["code"]?.GetValue<string>() ?? $"HTTP_{api.ResponseStatusCode}",
                    error?["message"]?.GetValue<string>() ?? $"The service answered {api.ResponseStatusCode}",
                    error?["requestId"]?.GetValue<string>());
            case HttpRequestException { InnerException: SocketException or IOException } or HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }:
                return new VaultError(0, Unreachable, "The Vault service could not be reached", null);
            default:
                return null;
        }
    }
}
