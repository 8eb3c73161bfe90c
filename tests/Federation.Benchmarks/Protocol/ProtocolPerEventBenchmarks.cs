using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Federation.Protocol.Events;
using Federation.Protocol.Json;
using Federation.Protocol.RoomVersions;

namespace Federation.Benchmarks.Protocol;

/// <summary>
/// The CPU cost of accepting one PDU (a ~1.3 KB room-version-10 reply, see <see cref="SampleEvents.Message"/>), step by
/// step, each on the same pre-built input. The steps overlap (<see cref="Pdu.Parse"/> includes the hashes), so they do
/// not add up; <see cref="EverythingExceptVerify"/> is the pipeline as a server runs it. The goal: everything except the
/// signature check costs at most 20 % of one Ed25519 verify, the baseline of the Ratio column.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortConfig))]
public class ProtocolPerEventBenchmarks
{
    private static readonly RoomVersion Version = RoomVersion.Get("10");

    private byte[] _wire = [];
    private JsonDocument? _document;
    private JsonElement _json;
    private Pdu? _pdu;

    [GlobalSetup]
    public void Setup()
    {
        _wire = SampleEvents.Message(Version);
        _document = CanonicalJson.Parse(_wire, strict: true);
        _json = _document.RootElement;
        _pdu = Pdu.Parse(_json, Version);
        _ = _pdu.SignedBytes;
        if (!EventSigning.HasValidContentHash(_pdu) || !VerifySignature())
        {
            throw new InvalidOperationException("The sample event does not verify; the benchmark would measure a failure path");
        }

        Console.WriteLine($"// Sample event: {_wire.Length} bytes on the wire, {_pdu.SignedBytes.Length} signed bytes");

        // Let tiered compilation finish with the protocol code before BenchmarkDotNet's pilot and warm-up: on a busy
        // machine its background tier-up lags, and the combined case was measured partly in unoptimised code.
        var warm = System.Diagnostics.Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(2))
        {
            EverythingExceptVerify();
            _ = Pdu.Parse(_json, Version);
            _ = CanonicalJson.Encode(_json);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _document?.Dispose();

    [Benchmark(Description = "Parse (CanonicalJson.Parse strict)")]
    public int Parse()
    {
        using var document = CanonicalJson.Parse(_wire, strict: true);
        return document.RootElement.GetPropertyCount();
    }

    [Benchmark(Description = "Canonical encode (whole event)")]
    public byte[] CanonicalEncode() => CanonicalJson.Encode(_json);

    [Benchmark(Description = "Content hash (EventHashes.ContentHash)")]
    public byte[] ContentHash() => EventHashes.ContentHash(_json);

    [Benchmark(Description = "Reference hash (EventHashes.ReferenceHash)")]
    public byte[] ReferenceHash() => EventHashes.ReferenceHash(_json, Version);

    /// <summary>All of <see cref="Pdu.Parse"/>: strict validation, fields, signed bytes and event id, and the content hash.</summary>
    [Benchmark(Description = "Pdu.Parse (validate, fields, event id, content hash)")]
    public string PduParse() => Pdu.Parse(_json, Version).EventId;

    /// <summary>
    /// The check on an event whose content hash is not yet known: <see cref="Pdu.Parse"/> computes it along with the
    /// event id, so a trusted-id PDU (which skips that) is built first; that costs about 1 µs of field reading.
    /// </summary>
    [Benchmark(Description = "Content-hash check (WithTrustedId + HasValidContentHash)")]
    public bool ContentHashCheck() => EventSigning.HasValidContentHash(Pdu.WithTrustedId(_json, Version, _pdu!.EventId));

    [Benchmark(Baseline = true, Description = "Ed25519 verify (VerifySignature)")]
    public bool VerifySignature() =>
        EventSigning.VerifySignature(_pdu!, SampleEvents.ServerName, SampleEvents.Key.KeyId, SampleEvents.Key.PublicKey);

    /// <summary>What an inbound PDU costs before its signature is checked: bytes to a parsed, id'd, hash-checked event.</summary>
    [Benchmark(Description = "Everything except verify")]
    public bool EverythingExceptVerify()
    {
        using var document = CanonicalJson.Parse(_wire, strict: true);
        var pdu = Pdu.Parse(document.RootElement, Version);
        return EventSigning.HasValidContentHash(pdu) && pdu.EventId.Length > 0;
    }

    /// <summary>
    /// One process and 15 measured iterations of ~250 ms per benchmark, after 2 s of warming the protocol code in
    /// <see cref="Setup"/> and a warm-up that runs until timings settle (6 to 40 iterations). About 10–20 s per benchmark.
    /// </summary>
    private sealed class ShortConfig : ManualConfig
    {
        public ShortConfig()
        {
            AddJob(Job.Default
                .WithLaunchCount(1)
                .WithMinWarmupCount(6)
                .WithMaxWarmupCount(40)
                .WithIterationCount(15)
                .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
                .WithId("Short"));

            // On a shared 2-core machine other work inflates some iterations; the median and minimum show through it.
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        }
    }
}
