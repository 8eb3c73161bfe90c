using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Federation.Storage.Postgres;
using Federation.Testing.Postgres;
using Npgsql;

namespace Federation.Storage.Tests.Postgres;

// Each test runs its own cluster in its own temp directory, separate from the shared test server.
public sealed class EmbeddedPostgresClusterTests : IDisposable
{
    private readonly TemporaryDirectory directory = new("cluster-test");

    private string DataDirectory => Path.Combine(directory.Path, "data");

    public void Dispose() => directory.Dispose();

    [Fact]
    public async Task StartAsync_NewDataDirectory_InitializesClusterThatAnswersQueries()
    {
        await using var cluster = await StartAsync();

        Assert.True(cluster.WasInitializedByThisStart);
        Assert.Equal(1, await ScalarAsync<int>(cluster.GetConnectionString(), "SELECT 1"));
        Assert.Equal(cluster.Superuser, await ScalarAsync<string>(cluster.GetConnectionString(), "SELECT current_user"));
        Assert.Equal("UTF8", await ScalarAsync<string>(cluster.GetConnectionString(), "SHOW server_encoding"));
    }

    [Fact]
    public async Task StartAsync_DurabilityDisabled_TurnsFsyncOff()
    {
        await using var cluster = await StartAsync();

        Assert.Equal("off", await ScalarAsync<string>(cluster.GetConnectionString(), "SHOW fsync"));
    }

    [Fact]
    public async Task StartAsync_ExistingCluster_ReusesItsDataWithoutInitdb()
    {
        await using (var first = await StartAsync())
        {
            await ScalarAsync<int>(first.GetConnectionString(), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42); SELECT 0");
        }

        await using var second = await StartAsync();

        Assert.False(second.WasInitializedByThisStart);
        Assert.Equal(42, await ScalarAsync<int>(second.GetConnectionString(), "SELECT id FROM kept"));
    }

    [Fact]
    public async Task StartAsync_StalePostmasterPidFromCrashedRun_StartsAnyway()
    {
        await (await StartAsync()).StopAsync();
        // After a crash the recorded PID may belong to a live unrelated process; our own PID is exactly that.
        File.WriteAllText(
            Path.Combine(DataDirectory, "postmaster.pid"),
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n" + DataDirectory + "\n");

        await using var cluster = await StartAsync();

        Assert.Equal(1, await ScalarAsync<int>(cluster.GetConnectionString(), "SELECT 1"));
    }

    [Fact]
    public async Task StartAsync_PortAlreadyInUse_ThrowsWithServerLogTail()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;

            var exception = await Assert.ThrowsAsync<EmbeddedPostgresStartException>(() => StartAsync(port));

            Assert.Contains("could not bind", exception.LogTail, StringComparison.OrdinalIgnoreCase);
            Assert.Contains(exception.LogTail, exception.Message, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task StartAsync_NonEmptyDirectoryWithoutCluster_RefusesNamingTheDirectory()
    {
        Directory.CreateDirectory(DataDirectory);
        File.WriteAllText(Path.Combine(DataDirectory, "precious.txt"), "not a database");

        var exception = await Assert.ThrowsAsync<EmbeddedPostgresStartException>(() => StartAsync());

        Assert.Contains(DataDirectory, exception.Message, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "precious.txt")));
    }

    [Fact]
    public async Task CreateDatabaseAsync_CalledTwice_CreatesOnceAndConnects()
    {
        await using var cluster = await StartAsync();

        Assert.True(await cluster.CreateDatabaseAsync("homeserver"));
        Assert.False(await cluster.CreateDatabaseAsync("homeserver"));
        Assert.Equal("homeserver", await ScalarAsync<string>(cluster.GetConnectionString("homeserver"), "SELECT current_database()"));
    }

    [Fact]
    public async Task StopAsync_RunningCluster_StopsServerAndIsIdempotent()
    {
        var cluster = await StartAsync();
        var connectionString = cluster.GetConnectionString();

        await cluster.StopAsync();
        await cluster.StopAsync();

        Assert.False(File.Exists(Path.Combine(DataDirectory, "postmaster.pid")));
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync<int>(connectionString + ";Pooling=false", "SELECT 1"));
    }

    private Task<EmbeddedPostgresCluster> StartAsync(int port = 0) =>
        EmbeddedPostgresCluster.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = DataDirectory,
            Port = port,
            DisableDurability = true,
        });

    private static async Task<T> ScalarAsync<T>(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
