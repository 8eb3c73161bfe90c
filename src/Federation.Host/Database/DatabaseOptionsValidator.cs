using Federation.Storage;
using Microsoft.Extensions.Options;

namespace Federation.Host.Database;

/// <summary>Runs <see cref="DatabaseOptions.Validate"/> at start so a bad value stops the server naming its key.</summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
