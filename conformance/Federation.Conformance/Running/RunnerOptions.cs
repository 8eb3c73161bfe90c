using System.Globalization;

namespace Federation.Conformance.Running;

/// <summary>The runner's command line (README "Running").</summary>
public sealed class RunnerOptions
{
    public const string Usage = """
        usage: dotnet run --project conformance/Federation.Conformance -- [options]
          --target URL          base URL of the homeserver under test (none: start our own server in-process)
          --server-name NAME    the target's server name (required with --target)
          --shared-secret S     the target's registration shared secret (required with --target)
          --database CONN       with no --target: Npgsql connection string for our server (none: an embedded cluster)
          --scenarios DIR       more scenario files to run alongside the built-in ones (repeatable)
          --filter TEXT         run only scenarios whose suite/name contains TEXT
          --report FILE         write a JUnit XML report
          --remote-port N       first loopback port of the fake remotes (they take N, N+1, ...; 0: any free port)
          --no-state-res        do not run the state-resolution fixtures
        """;

    public Uri? Target { get; set; }

    public string? ServerName { get; set; }

    public string? SharedSecret { get; set; }

    public string? DatabaseConnectionString { get; set; }

    public List<string> ScenarioDirectories { get; } = [];

    public string? Filter { get; set; }

    public string? ReportPath { get; set; }

    public int RemotePort { get; set; }

    public bool RunStateResolutionFixtures { get; set; } = true;

    /// <summary>The built-in scenarios and fixtures (the repository's conformance/ folder).</summary>
    public string ConformanceRoot { get; set; } = RepositoryConformanceRoot();

    public static bool TryParse(IReadOnlyList<string> args, out RunnerOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = new RunnerOptions();
        error = "";
        for (var i = 0; i < args.Count; i++)
        {
            var needsValue = args[i] is not "--no-state-res";
            if (needsValue && i + 1 >= args.Count)
            {
                error = $"{args[i]} needs a value";
                return false;
            }

            switch (args[i])
            {
                case "--target":
                    options.Target = new Uri(args[++i].EndsWith('/') ? args[i] : args[i] + "/");
                    break;
                case "--server-name":
                    options.ServerName = args[++i];
                    break;
                case "--shared-secret":
                    options.SharedSecret = args[++i];
                    break;
                case "--database":
                    options.DatabaseConnectionString = args[++i];
                    break;
                case "--scenarios":
                    options.ScenarioDirectories.Add(args[++i]);
                    break;
                case "--filter":
                    options.Filter = args[++i];
                    break;
                case "--report":
                    options.ReportPath = args[++i];
                    break;
                case "--remote-port":
                    options.RemotePort = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--no-state-res":
                    options.RunStateResolutionFixtures = false;
                    break;
                default:
                    error = $"unknown option {args[i]}";
                    return false;
            }
        }

        if (options.Target is not null && (options.ServerName is null || options.SharedSecret is null))
        {
            error = "--target needs --server-name and --shared-secret";
            return false;
        }

        return true;
    }

    private static string RepositoryConformanceRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Federation.sln")))
            {
                return Path.Combine(directory.FullName, "conformance");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "conformance");
    }
}
