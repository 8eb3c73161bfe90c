using System.Collections.Concurrent;
using System.Diagnostics;
using Federation.Testing.Postgres;

namespace Federation.Api.Tests.Processes;

/// <summary>
/// Our server as a real process: the built <c>Federation.Host.dll</c> run with <c>dotnet</c>, configured through
/// environment variables only (database, server name, key file, a free loopback port, remote destinations), as an
/// operator would run it. It can be killed with SIGKILL and started again on the same port.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the process listens for federation requests.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// Starts a process and returns once it serves requests (its schema migrated and its hosted services started).
    /// <paramref name="settings"/> are configuration keys (<c>Section:Key</c>), passed as <c>Section__Key</c> variables.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, int port, IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var all = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Kestrel:Endpoints:Federation:Url"] = $"http://127.0.0.1:{port}",
            ["Database:MigrationsDirectory"] = RepositoryLayout.MigrationsDirectory,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        foreach (var (key, value) in all)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Record(e.Data);
        process.ErrorDataReceived += (_, e) => server.Record(e.Data);
        process.Exited += (_, _) => server._started.TrySetException(
            new InvalidOperationException("The server process exited while starting:\n" + server.Output));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server._started.Task.WaitAsync(StartTimeout);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>The process's last lines of output, for failure messages.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>SIGKILL: no shutdown, no finally blocks; its database sessions (and advisory locks) end with its sockets.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > 200 && _output.TryDequeue(out _))
        {
        }

        if (line.Contains("Application started", StringComparison.Ordinal))
        {
            _started.TrySetResult();
        }
    }
}
