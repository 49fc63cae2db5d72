namespace Vault.Cli;

/// <summary>The CLI's exit codes, one per kind of outcome a script branches on.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Refused = 1;       // a 4xx not listed below (INVALID_INPUT, INVALID_VAULT_TOKEN, …)
    public const int Usage = 2;         // the command line is wrong
    public const int Unauthorized = 3;  // 401
    public const int NotFound = 4;      // 404: not found, or no connections
    public const int Conflict = 5;      // 409
    public const int Unavailable = 6;   // 503 / 5xx, or the service could not be reached

    public static int ForStatus(int status) => status switch
    {
        0 => Unavailable,
        401 => Unauthorized,
        404 => NotFound,
        409 => Conflict,
        >= 500 => Unavailable,
        _ => Refused,
    };
}
