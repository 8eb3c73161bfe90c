using System.Runtime.InteropServices;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Benchmarks.Protocol;

/// <summary>
/// A cross-check of <see cref="ProtocolPerEventBenchmarks"/> for a busy machine: the pipeline and one verify, measured
/// alternately in this thread's CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>), which does not count the time other
/// processes hold the core. Run with <c>-- cputime [rounds]</c>.
/// </summary>
public static partial class CpuTimeCheck
{
    private const int ClockThreadCpuTime = 3;

    public static void Run(int rounds)
    {
        var version = RoomVersion.Get("10");
        var wire = SampleEvents.Message(version);
        using var document = CanonicalJson.Parse(wire, strict: true);
        var parsed = Pdu.Parse(document.RootElement, version);
        var key = SampleEvents.Key;

        void Pipeline()
        {
            using var received = CanonicalJson.Parse(wire, strict: true);
            var pdu = Pdu.Parse(received.RootElement, version);
            if (!EventSigning.HasValidContentHash(pdu))
            {
                throw new InvalidOperationException("The sample event's content hash does not match");
            }
        }

        void Verify()
        {
            if (!EventSigning.VerifySignature(parsed, SampleEvents.ServerName, key.KeyId, key.PublicKey))
            {
                throw new InvalidOperationException("The sample event's signature does not verify");
            }
        }

        Measure(Pipeline, 20_000);
        Measure(Verify, 2_000);
        var pipeline = new List<double>();
        var verify = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            pipeline.Add(Measure(Pipeline, 2_000));
            verify.Add(Measure(Verify, 200));
        }

        Console.WriteLine($"Sample event: {wire.Length} bytes; {rounds} rounds, thread CPU time per operation");
        Console.WriteLine($"{"",-28} {"min",9} {"median",9}");
        Console.WriteLine($"{"Everything except verify",-28} {pipeline.Min(),8:F2}µs {Median(pipeline),8:F2}µs");
        Console.WriteLine($"{"Ed25519 verify",-28} {verify.Min(),8:F2}µs {Median(verify),8:F2}µs");
        Console.WriteLine($"{"Ratio",-28} {pipeline.Min() / verify.Min(),9:P1} {Median(pipeline) / Median(verify),9:P1}");
    }

    private static double Measure(Action operation, int count)
    {
        var start = ThreadCpuMicroseconds();
        for (var i = 0; i < count; i++)
        {
            operation();
        }

        return (ThreadCpuMicroseconds() - start) / count;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static double ThreadCpuMicroseconds()
    {
        if (ClockGetTime(ClockThreadCpuTime, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
        }

        return (time.Seconds * 1e6) + (time.Nanoseconds / 1e3);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);
}
