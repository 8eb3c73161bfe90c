using BenchmarkDotNet.Running;

namespace Federation.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project tests/Federation.Benchmarks -- --filter '*Protocol*'</c>.
/// Without a filter BenchmarkDotNet asks which benchmarks to run. <c>-- cputime [rounds]</c> runs
/// <see cref="Protocol.CpuTimeCheck"/> instead.
/// </summary>
public static class Program
{
    public static void Main(string[] args)
    {
        if (args is ["cputime", ..])
        {
            Protocol.CpuTimeCheck.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 40);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}
