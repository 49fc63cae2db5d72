using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vault.Core.Common;

/// <summary>
/// Checks an options class's data annotations when the host starts and fails with their own messages, each naming
/// its setting as an operator writes it (<c>Vault__RateLimit__PerMinute must be at least 1.</c>), not the framework's
/// "DataAnnotation validation failed for 'X' members" wrapping.
/// </summary>
public sealed class AnnotatedSettingsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var failures = new List<ValidationResult>();
        return Validator.TryValidateObject(options, new ValidationContext(options), failures, validateAllProperties: true)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(failures.Select(failure => failure.ErrorMessage ?? string.Join(", ", failure.MemberNames)));
    }
}

public static class SettingsValidation
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and checks its annotations at start.</summary>
    public static OptionsBuilder<TOptions> AddCheckedSettings<TOptions>(this IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration, string section)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>, AnnotatedSettingsValidator<TOptions>>();
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
