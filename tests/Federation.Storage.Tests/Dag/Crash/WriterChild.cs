using System.Diagnostics;
using System.Globalization;

namespace Federation.Storage.Tests.Dag.Crash;

/// <summary>A <see cref="WriterProcess"/> running as a child process, read line by line and killed with SIGKILL.</summary>
internal sealed class WriterChild : IDisposable
{
    private readonly Process process;

    private WriterChild(Process process)
    {
        this.process = process;
    }

    /// <summary>The last batch the child reported committed (0 before any).</summary>
    public int Committed { get; private set; }

    public static WriterChild Start(string connectionString, string roomId, int stallAtBatch)
    {
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(WriterProcess).Assembly.Location);
        start.ArgumentList.Add(WriterProcess.Command);
        start.ArgumentList.Add(connectionString);
        start.ArgumentList.Add(roomId);
        start.ArgumentList.Add(stallAtBatch.ToString(CultureInfo.InvariantCulture));
        return new WriterChild(Process.Start(start) ?? throw new InvalidOperationException("The writer process did not start."));
    }

    /// <summary>Reads the child's reports until one starts with <paramref name="prefix"/> (60 s at most).</summary>
    public async Task WaitForAsync(string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException(
                    $"The writer exited before reporting '{prefix}': {await process.StandardError.ReadToEndAsync(timeout.Token)}");
            Note(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return;
            }
        }
    }

    /// <summary>SIGKILL: no finally blocks, no disposal, no goodbye to Postgres; the socket just closes.</summary>
    public async Task KillAsync()
    {
        process.Kill(entireProcessTree: false);
        await process.WaitForExitAsync();
        // Batches may have committed between the last report read and the kill: count what the child said before dying.
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            Note(line);
        }
    }

    private void Note(string line)
    {
        if (line.StartsWith("committed ", StringComparison.Ordinal))
        {
            Committed = int.Parse(line["committed ".Length..], CultureInfo.InvariantCulture);
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: false);
        }

        process.Dispose();
    }
}
