using Microsoft.Playwright;

namespace Vault.Client.Playwright;

/// <summary>
/// A login form the finder chose in a frame of the page's own origin: references to its fields (held in the page,
/// never their values) and which kinds it has (<c>username</c>, <c>password</c>, <c>totp</c>).
/// </summary>
internal sealed class FoundForm(IFrame frame, IJSHandle handle, IReadOnlyList<string> kinds, bool hasSubmit) : IAsyncDisposable
{
    public IFrame Frame { get; } = frame;

    public IReadOnlyList<string> Kinds { get; } = kinds;

    public bool HasSubmit { get; } = hasSubmit;

    public bool Has(string kind) => Kinds.Contains(kind);

    /// <summary>The chosen field of <paramref name="kind"/> (or <c>submit</c>), or null.</summary>
    public async Task<IElementHandle?> ElementAsync(string kind) => (await handle.GetPropertyAsync(kind).ConfigureAwait(false)).AsElement();

    public async ValueTask DisposeAsync()
    {
        try
        {
            await handle.DisposeAsync().ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            // The frame navigated away: the reference is gone already.
        }
    }
}
