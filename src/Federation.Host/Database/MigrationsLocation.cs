using Federation.Storage;

namespace Federation.Host.Database;

/// <summary>
/// Where the migrations are: a relative directory is looked up beside the binaries first (where the build copies the
/// files), then under the content root (running from a source checkout).
/// </summary>
public static class MigrationsLocation
{
    public static string Resolve(DatabaseOptions options, IHostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        var besideBinaries = options.ResolveMigrationsDirectory(AppContext.BaseDirectory);
        return Directory.Exists(besideBinaries) ? besideBinaries : options.ResolveMigrationsDirectory(environment.ContentRootPath);
    }
}
