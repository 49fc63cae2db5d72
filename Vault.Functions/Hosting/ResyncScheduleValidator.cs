using Microsoft.Extensions.Options;
using NCrontab;
using Vault.Core;

namespace Vault.Functions.Hosting;

/// <summary>
/// <c>Vault__ResyncSchedule</c> is required and must parse as the timer's NCRONTAB (with seconds), checked at start in
/// both modes: the Functions host would otherwise disable the timer when <c>%Vault:ResyncSchedule%</c> does not resolve
/// (an indexing error in its log) and serve everything else as if nothing were wrong.
/// </summary>
public sealed class ResyncScheduleValidator : IValidateOptions<VaultOptions>
{
    public ValidateOptionsResult Validate(string? name, VaultOptions options)
    {
        var schedule = options.ResyncSchedule;
        if (string.IsNullOrWhiteSpace(schedule))
        {
            return ValidateOptionsResult.Fail(
                "Vault__ResyncSchedule is not set: the resync timer needs an NCRONTAB schedule with seconds, e.g. \"0 */15 * * * *\" " +
                "(see local.settings.sample.json).");
        }

        return CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null
            ? ValidateOptionsResult.Fail($"Vault__ResyncSchedule \"{schedule}\" is not an NCRONTAB schedule with seconds (six fields), e.g. \"0 */15 * * * *\".")
            : ValidateOptionsResult.Success;
    }

}

/// <summary>What start-up prints when settings are wrong: every failure, each naming its setting.</summary>
public static class StartupErrors
{
    public static string Describe(OptionsValidationException failure) => "Vault cannot start: " + string.Join(" ", failure.Failures);
}
