using System.Globalization;

namespace Federation.Storage.Postgres;

/// <summary>
/// Runs PostgreSQL programs as the right operating-system user: directly when we are not root, and as the service
/// user (via <c>runuser</c>, else <c>su</c>) when we are, because initdb and postgres refuse to run as root.
/// </summary>
internal sealed class PostgresCommandRunner
{
    private static readonly string[] RunuserLocations = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"];

    private PostgresCommandRunner(string? serviceUser) => ServiceUser = serviceUser;

    /// <summary>The user the programs run as, or null when they run as the current user.</summary>
    public string? ServiceUser { get; }

    public static PostgresCommandRunner ForCurrentProcess(string serviceUser) =>
        new(UnixIdentity.IsRoot ? serviceUser : null);

    public Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (ServiceUser is null)
        {
            return ProcessRunner.RunAsync(program, arguments, cancellationToken);
        }

        var runuser = RunuserLocations.FirstOrDefault(File.Exists);
        if (runuser is not null)
        {
            return ProcessRunner.RunAsync(runuser, ["-u", ServiceUser, "--", program, .. arguments], cancellationToken);
        }

        // su takes one shell command line, so each word is single-quoted.
        var commandLine = string.Join(' ', new[] { program }.Concat(arguments).Select(QuoteForShell));
        return ProcessRunner.RunAsync("su", [ServiceUser, "-s", "/bin/sh", "-c", commandLine], cancellationToken);
    }

    /// <summary>Gives a file or directory we created to the service user, so the server can write to it.</summary>
    public async Task GiveToServiceUserAsync(string path, CancellationToken cancellationToken)
    {
        if (ServiceUser is null)
        {
            return;
        }

        var result = await ProcessRunner.RunAsync("chown", ["-R", ServiceUser + ":", path], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Format(
                CultureInfo.InvariantCulture,
                "Running as root, so PostgreSQL must run as '{0}', but '{1}' failed (exit {2}): {3}. "
                    + "Does the user '{0}' exist (install the postgresql package or set the service user)?",
                ServiceUser,
                result.CommandLine,
                result.ExitCode,
                result.CombinedOutput));
        }
    }

    private static string QuoteForShell(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
