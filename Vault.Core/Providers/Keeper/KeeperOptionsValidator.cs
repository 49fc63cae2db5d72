using Microsoft.Extensions.Options;

namespace Vault.Core.Providers.Keeper;

/// <summary>A malformed server key setting stops the start with its name, rather than failing every Keeper call later.</summary>
internal sealed class KeeperOptionsValidator : IValidateOptions<KeeperOptions>
{
    public ValidateOptionsResult Validate(string? name, KeeperOptions options)
    {
        try
        {
            KeeperServerKeys.From(options, allowPrivateHosts: true);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
