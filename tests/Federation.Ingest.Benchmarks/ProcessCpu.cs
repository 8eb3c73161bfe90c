using System.Globalization;

namespace Federation.Ingest.Benchmarks;

/// <summary>CPU time of other processes (the Postgres backends) from <c>/proc/PID/stat</c>; zero where unreadable.</summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100;

    public static double SecondsOf(IEnumerable<int> pids)
    {
        ArgumentNullException.ThrowIfNull(pids);
        var total = 0.0;
        foreach (var pid in pids)
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                // Fields after the command name (which may hold spaces) start after the last ')'.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
            }
            catch (IOException)
            {
                // The backend ended.
            }
        }

        return total;
    }
}
