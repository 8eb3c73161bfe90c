using System.Globalization;

namespace Federation.Storage.Postgres;

/// <summary>
/// Classifies a leftover <c>postmaster.pid</c>. PostgreSQL refuses to start while the PID in that file is alive,
/// and after a container or machine restart that PID is often reused by an unrelated process, which would block
/// the embedded cluster forever. On Linux we can tell the cases apart through /proc.
/// </summary>
internal static class PostmasterPidFile
{
    public const string FileName = "postmaster.pid";

    public static PostmasterPidState Inspect(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(pidFile))
        {
            return PostmasterPidState.Absent;
        }

        if (!Directory.Exists("/proc/self"))
        {
            return PostmasterPidState.Unknown;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (!int.TryParse(firstLine, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return PostmasterPidState.Stale;
        }

        var processDirectory = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
        if (!Directory.Exists(processDirectory))
        {
            return PostmasterPidState.Stale;
        }

        try
        {
            var command = File.ReadAllText(Path.Combine(processDirectory, "comm")).Trim();
            if (!string.Equals(command, "postgres", StringComparison.Ordinal))
            {
                return PostmasterPidState.Stale;
            }

            // The postmaster changes into its data directory, so its working directory says which cluster it serves.
            var workingDirectory = new DirectoryInfo(Path.Combine(processDirectory, "cwd")).LinkTarget;
            if (workingDirectory is null)
            {
                return PostmasterPidState.Unknown;
            }

            return SamePath(workingDirectory, dataDirectory) ? PostmasterPidState.RunningForThisDirectory : PostmasterPidState.Stale;
        }
        catch (IOException)
        {
            // The process exited between the checks.
            return PostmasterPidState.Stale;
        }
        catch (UnauthorizedAccessException)
        {
            return PostmasterPidState.Unknown;
        }
    }

    public static void Delete(string dataDirectory) => File.Delete(Path.Combine(dataDirectory, FileName));

    private static bool SamePath(string left, string right) =>
        string.Equals(
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(left)),
            Path.TrimEndingDirectorySeparator(Path.GetFullPath(right)),
            StringComparison.Ordinal);
}
