using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Vault.Functions.Hosting;

/// <summary>
/// Settings without which the app must not start, checked the same way under the Functions host and standalone. The
/// host would otherwise disable the resync timer when <c>%Vault:ResyncSchedule%</c> does not resolve (an indexing
/// error in its log) and serve everything else as if nothing were wrong.
/// </summary>
public static class RequiredSettings
{
    public const string ResyncScheduleKey = "Vault:ResyncSchedule";

    /// <summary>Throws <see cref="InvalidOperationException"/> naming the setting (as its app-setting name) and how to fix it.</summary>
    public static void Validate(IConfiguration configuration)
    {
        Vault.Core.ServiceCollectionExtensions.ValidateSecretStoreSettings(configuration);

        var schedule = configuration[ResyncScheduleKey];
        if (string.IsNullOrWhiteSpace(schedule))
        {
            throw new InvalidOperationException(
                "Vault__ResyncSchedule is not set: the resync timer needs an NCRONTAB schedule with seconds, e.g. \"0 */15 * * * *\" " +
                "(see local.settings.sample.json).");
        }

        if (CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }) is null)
        {
            throw new InvalidOperationException(
                $"Vault__ResyncSchedule \"{schedule}\" is not an NCRONTAB schedule with seconds (six fields), e.g. \"0 */15 * * * *\".");
        }
    }
}
