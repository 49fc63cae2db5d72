using Vault.Client.Playwright;

namespace Vault.Cli.Mcp;

/// <summary>
/// Where "the next one-time code" starts for <c>wait_for_code</c>: the run's codes position when the server started,
/// then just after the last code it filled. A model asks for the code a few seconds after the site sent it, so a code
/// that came before the call must still count; one already used or from before this session must not.
/// </summary>
internal sealed class CodeWatermark(SignInOptions run)
{
    private readonly object gate = new();
    private Task<string?>? position;

    /// <summary>
    /// Takes the starting position before the server answers its client, so that every code sent after the session
    /// began counts; a service that is not up yet is asked again on first use.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await Current().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        catch (Exception ex) when (ex is SignInException or TimeoutException)
        {
            // PositionAsync tries again.
        }
    }

    public async Task<string?> PositionAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Current().WaitAsync(cancellationToken);
        }
        catch (SignInException)
        {
            lock (gate)
            {
                position = null; // not known: ask again next time
            }

            return await Current().WaitAsync(cancellationToken);
        }
    }

    /// <summary>After a fill: codes from now on are the next ones.</summary>
    public void Advance()
    {
        lock (gate)
        {
            position = PageSignIn.CodeCursorAsync(run);
        }
    }

    private Task<string?> Current()
    {
        lock (gate)
        {
            return position ??= PageSignIn.CodeCursorAsync(run);
        }
    }
}
