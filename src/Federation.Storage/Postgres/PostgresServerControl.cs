using System.Globalization;

namespace Federation.Storage.Postgres;

/// <summary>
/// The initdb and pg_ctl steps for one data directory, run as the right user. Kept apart from
/// <see cref="EmbeddedPostgresCluster"/> so that type reads as the lifecycle and this one as the mechanics.
/// </summary>
internal sealed class PostgresServerControl(
    EmbeddedPostgresOptions options, PostgresBinaries binaries, PostgresCommandRunner runner, string dataDirectory)
{
    public const string LogFileName = "server.log";

    public string DataDirectory => dataDirectory;

    public string LogFile => Path.Combine(dataDirectory, LogFileName);

    public static PostgresServerControl Create(EmbeddedPostgresOptions options) =>
        new(
            options,
            PostgresBinaryLocator.Locate(options.BinDirectory),
            PostgresCommandRunner.ForCurrentProcess(options.ServiceUser),
            Path.GetFullPath(options.DataDirectory));

    /// <summary>Runs initdb unless the directory already holds a cluster.</summary>
    /// <returns>True if initdb ran.</returns>
    public async Task<bool> InitializeIfNewAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return false;
        }

        if (Directory.Exists(dataDirectory) && Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new EmbeddedPostgresStartException(
                $"The data directory '{dataDirectory}' is not empty but holds no PostgreSQL cluster (no PG_VERSION). "
                + "Refusing to initialise over existing files; empty it or point the data directory elsewhere.");
        }

        Directory.CreateDirectory(dataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            // PostgreSQL refuses a data directory that others can read.
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        await runner.GiveToServiceUserAsync(dataDirectory, cancellationToken).ConfigureAwait(false);

        List<string> arguments =
        [
            "-D", dataDirectory,
            "-U", options.Superuser,
            "-E", "UTF8",
            "--locale=C",
            // Trust is acceptable only because the server listens on loopback and on a socket in its private directory.
            "--auth-local=trust",
            "--auth-host=trust",
        ];
        if (options.DisableDurability)
        {
            arguments.Add("--no-sync");
        }

        var result = await runner.RunAsync(binaries.InitDbPath, arguments, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var hint = runner.ServiceUser is null
                ? string.Empty
                : $" initdb ran as '{runner.ServiceUser}' because this process is root; "
                    + "that user must be able to enter every parent of the data directory.";
            throw new EmbeddedPostgresStartException(
                $"initdb failed (exit {result.ExitCode}) for '{dataDirectory}'.{hint}{Environment.NewLine}{result.CombinedOutput}");
        }

        var mainConfiguration = Path.Combine(dataDirectory, "postgresql.conf");
        await File.AppendAllTextAsync(mainConfiguration, ManagedSettingsFile.IncludeDirective, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Deletes a stale postmaster.pid, or stops a server a previous run left running on this directory.</summary>
    /// <returns>True if a running server was stopped.</returns>
    public async Task<bool> ClearLeftoverServerAsync(CancellationToken cancellationToken)
    {
        switch (PostmasterPidFile.Inspect(dataDirectory))
        {
            case PostmasterPidState.Stale:
                PostmasterPidFile.Delete(dataDirectory);
                return false;
            case PostmasterPidState.RunningForThisDirectory:
                var result = await StopAsync("fast", wait: true, cancellationToken).ConfigureAwait(false);
                if (!result.Succeeded && !IsNotRunning(result))
                {
                    throw new EmbeddedPostgresStartException(
                        $"A server left running on '{dataDirectory}' by a previous run could not be stopped: {result.CombinedOutput}");
                }

                return true;
            case PostmasterPidState.Absent:
            case PostmasterPidState.Unknown:
            default:
                return false;
        }
    }

    /// <summary>Writes the managed settings for <paramref name="port"/> and runs <c>pg_ctl start -w</c>.</summary>
    /// <returns>Null on success; otherwise the failure, with the log lines this attempt wrote.</returns>
    public async Task<EmbeddedPostgresStartException?> TryStartAsync(int port, CancellationToken cancellationToken)
    {
        var settingsFile = Path.Combine(dataDirectory, ManagedSettingsFile.FileName);
        var settings = ManagedSettingsFile.Render(options, dataDirectory, port);
        await File.WriteAllTextAsync(settingsFile, settings, cancellationToken).ConfigureAwait(false);
        await runner.GiveToServiceUserAsync(settingsFile, cancellationToken).ConfigureAwait(false);

        var logOffset = ServerLogReader.CurrentLength(LogFile);
        var result = await runner.RunAsync(
            binaries.PgCtlPath,
            ["start", "-w", "-t", TimeoutSeconds(), "-D", dataDirectory, "-l", LogFile],
            cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            return null;
        }

        // pg_ctl stops waiting but leaves a slow server running; stop it so a retry or the next run starts clean.
        await StopAsync("immediate", wait: true, cancellationToken).ConfigureAwait(false);
        return new EmbeddedPostgresStartException(
            $"PostgreSQL failed to start on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} from '{dataDirectory}' "
                + $"(pg_ctl exit {result.ExitCode}): {result.CombinedOutput}. Full log: {LogFile}",
            ServerLogReader.ReadTailSince(LogFile, logOffset));
    }

    /// <summary>Runs <c>pg_ctl stop</c> in <paramref name="mode"/> (smart, fast, immediate), waiting or not.</summary>
    public Task<ProcessResult> StopAsync(string mode, bool wait, CancellationToken cancellationToken) =>
        runner.RunAsync(
            binaries.PgCtlPath,
            ["stop", wait ? "-w" : "-W", "-t", TimeoutSeconds(), "-D", dataDirectory, "-m", mode],
            cancellationToken);

    /// <summary>Whether pg_ctl failed only because no server was running, which is what a stop wants anyway.</summary>
    public static bool IsNotRunning(ProcessResult result) =>
        result.CombinedOutput.Contains("Is server running?", StringComparison.Ordinal)
        || result.CombinedOutput.Contains("no server running", StringComparison.Ordinal);

    private string TimeoutSeconds() =>
        Math.Max(1, (int)Math.Ceiling(options.StartStopTimeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
