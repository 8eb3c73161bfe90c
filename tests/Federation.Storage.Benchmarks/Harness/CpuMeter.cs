using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Federation.Storage.Benchmarks.Harness;

/// <summary>
/// CPU time of this process and of the database's server processes (its backends, read from /proc) over a stretch of
/// work. On a shared machine wall-clock rates swing with the load; CPU per event does much less, so both are reported.
/// </summary>
internal sealed class CpuMeter : IAsyncDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private TimeSpan clientStart;
    private Dictionary<int, double> serverStart = [];

    /// <summary>Creates the meter's own connection pool up front, so that its start-up is not counted.</summary>
    public CpuMeter(string connectionString)
    {
        dataSource = NpgsqlDataSource.Create(connectionString);
    }

    public ValueTask DisposeAsync() => dataSource.DisposeAsync();

    public async Task StartAsync()
    {
        serverStart = await ServerCpuAsync();
        clientStart = Process.GetCurrentProcess().TotalProcessorTime;
    }

    /// <summary>CPU milliseconds since <see cref="StartAsync"/>: this process, and the database's backends.</summary>
    public async Task<(double ClientMs, double ServerMs)> StopAsync()
    {
        var client = (Process.GetCurrentProcess().TotalProcessorTime - clientStart).TotalMilliseconds;
        var end = await ServerCpuAsync();
        var server = end.Sum(pair => pair.Value - serverStart.GetValueOrDefault(pair.Key));
        return (client, server);
    }

    private async Task<Dictionary<int, double>> ServerCpuAsync()
    {
        var pids = new List<int>();
        await using (var command = dataSource.CreateCommand(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"))
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                pids.Add(reader.GetInt32(0));
            }
        }

        var ticksPerMs = 100.0 / 1000; // USER_HZ is 100 on Linux.
        var result = new Dictionary<int, double>();
        foreach (var pid in pids)
        {
            try
            {
                var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the command name.
                var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                result[pid] = ticks / ticksPerMs;
            }
            catch (IOException)
            {
                // The server is elsewhere (FEDERATION_TEST_POSTGRES) or the backend is gone.
            }
        }

        return result;
    }
}
