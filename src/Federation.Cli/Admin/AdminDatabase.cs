using System.Text.Json;

namespace Federation.Cli.Admin;

/// <summary>
/// Finds the connection string of the server's database: <c>--database</c>, else <c>Database:ConnectionString</c> of the
/// <c>--settings</c> file (the server's appsettings JSON), else the <c>Database__ConnectionString</c> environment
/// variable the server itself reads.
/// </summary>
internal static class AdminDatabase
{
    public const string EnvironmentVariable = "Database__ConnectionString";

    /// <summary>The connection string, or null with a message saying what is missing.</summary>
    public static string? ConnectionString(AdminArguments arguments, out string error)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        error = "";
        if (arguments.Database is { Length: > 0 } given)
        {
            return given;
        }

        if (arguments.Settings is { } path)
        {
            try
            {
                using var json = JsonDocument.Parse(File.ReadAllBytes(path));
                if (json.RootElement.ValueKind == JsonValueKind.Object
                    && json.RootElement.TryGetProperty("Database", out var section) && section.ValueKind == JsonValueKind.Object
                    && section.TryGetProperty("ConnectionString", out var value) && value.GetString() is { Length: > 0 } fromFile)
                {
                    return fromFile;
                }

                error = $"{path} has no Database:ConnectionString (a server on its embedded cluster: pass --database with the port of its postmaster.pid)";
                return null;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                error = $"cannot read {path}: {e.Message}";
                return null;
            }
        }

        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        error = $"no database: pass --database CONNECTION_STRING or --settings APPSETTINGS_FILE, or set {EnvironmentVariable}";
        return null;
    }
}
