using System.Diagnostics;

namespace Federation.Storage.Postgres;

/// <summary>Runs a program to completion, capturing its output, without a shell so arguments need no quoting.</summary>
internal static class ProcessRunner
{
    public static async Task<ProcessResult> RunAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            // The service user may not be able to enter the caller's directory (e.g. /root); initdb and pg_ctl
            // look up the current directory and fail if they cannot.
            WorkingDirectory = Path.GetPathRoot(Path.GetTempPath()) ?? "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var commandLine = fileName + " " + string.Join(' ', arguments);
        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start '{commandLine}'.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited on its own meanwhile.
            }

            throw;
        }

        return new ProcessResult(
            commandLine,
            process.ExitCode,
            await standardOutput.ConfigureAwait(false),
            await standardError.ConfigureAwait(false));
    }
}
