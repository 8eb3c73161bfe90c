namespace Federation.Storage.Postgres;

/// <summary>What a <c>postmaster.pid</c> left in a data directory means.</summary>
internal enum PostmasterPidState
{
    /// <summary>No pid file: the server is not running.</summary>
    Absent,

    /// <summary>Left by a crashed run; its PID is dead or now belongs to another program, so the file can go.</summary>
    Stale,

    /// <summary>A postmaster for this very directory is still running (a previous run that was not stopped).</summary>
    RunningForThisDirectory,

    /// <summary>Cannot tell (no /proc, or the process is not ours to inspect); leave it to PostgreSQL's own checks.</summary>
    Unknown,
}
