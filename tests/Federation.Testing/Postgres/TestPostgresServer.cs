using System.Globalization;
using System.Text;
using Federation.Storage.Postgres;

namespace Federation.Testing.Postgres;

/// <summary>
/// The one PostgreSQL server shared by every test in a test process.
/// <para>
/// By default the first test to ask starts a throwaway <see cref="EmbeddedPostgresCluster"/> in a temp directory, with
/// fsync off (a crash only loses test data), and a process-exit handler stops it and deletes the directory. It needs
/// PostgreSQL installed (initdb, pg_ctl; see <see cref="PostgresBinaryLocator"/>); as root it runs as <c>postgres</c>.
/// </para>
/// <para>
/// Set the environment variable <c>FEDERATION_TEST_POSTGRES</c> to an Npgsql connection string of an existing server
/// (e.g. <c>Host=127.0.0.1;Username=postgres;Password=...;Database=postgres</c>), as a role allowed to create
/// databases, to use that server instead. Tests only create and drop their own uniquely named databases on it.
/// </para>
/// </summary>
public static class TestPostgresServer
{
    /// <summary>Name of the environment variable that points the tests at an existing server.</summary>
    public const string EnvironmentVariableName = "FEDERATION_TEST_POSTGRES";

    private const string ClusterDirectoryPrefix = "test-postgres-";

    private static readonly Lazy<Task<string>> AdminConnectionString =
        new(StartOrConnectAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Connection string to the server's maintenance database, starting the throwaway cluster on first use.</summary>
    public static Task<string> GetAdminConnectionStringAsync() => AdminConnectionString.Value;

    /// <summary>
    /// Creates an empty database named after <paramref name="purpose"/> plus a random suffix, so test classes (which
    /// run in parallel) and concurrent test runs against a shared server never see each other's data.
    /// </summary>
    public static async Task<TemporaryDatabase> CreateDatabaseAsync(string purpose)
    {
        var adminConnectionString = await GetAdminConnectionStringAsync();
        var name = UniqueName(purpose);
        await PostgresDatabaseAdmin.CreateDatabaseIfMissingAsync(adminConnectionString, name);
        return new TemporaryDatabase(adminConnectionString, name);
    }

    private static async Task<string> StartOrConnectAsync()
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariableName);
        if (!string.IsNullOrWhiteSpace(external))
        {
            return external;
        }

        await RemoveClustersOfDeadRunsAsync();
        var directory = new TemporaryDirectory($"{ClusterDirectoryPrefix}{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}");
        var cluster = await EmbeddedPostgresCluster.StartAsync(ClusterOptions(directory.Path));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            // The test platform kills the test process shortly after the run, so stop without waiting; anything a
            // kill interrupts is cleaned up by the next run's RemoveClustersOfDeadRunsAsync.
            try
            {
                cluster.StopImmediately();
            }
            finally
            {
                directory.Dispose();
            }
        };
        return cluster.GetConnectionString();
    }

    private static EmbeddedPostgresOptions ClusterOptions(string directory) => new()
    {
        DataDirectory = Path.Combine(directory, "data"),
        DisableDurability = true,
    };

    // Directories are named federation-test-postgres-<pid>-<guid>; a dead <pid> means that run was killed mid-exit.
    private static async Task RemoveClustersOfDeadRunsAsync()
    {
        if (!Directory.Exists("/proc/self"))
        {
            return;
        }

        var prefix = "federation-" + ClusterDirectoryPrefix;
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), prefix + "*"))
        {
            var pid = Path.GetFileName(directory)[prefix.Length..].Split('-')[0];
            if (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out _) || Directory.Exists("/proc/" + pid))
            {
                continue;
            }

            await EmbeddedPostgresCluster.StopLeftoverServerAsync(ClusterOptions(directory));
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static string UniqueName(string purpose)
    {
        var prefix = new StringBuilder("test_");
        foreach (var character in purpose.ToLowerInvariant())
        {
            prefix.Append(character is (>= 'a' and <= 'z') or (>= '0' and <= '9') ? character : '_');
        }

        var suffix = "_" + Guid.NewGuid().ToString("N", CultureInfo.InvariantCulture)[..12];
        return (prefix.Length + suffix.Length > 63 ? prefix.ToString(0, 63 - suffix.Length) : prefix.ToString()) + suffix;
    }
}
