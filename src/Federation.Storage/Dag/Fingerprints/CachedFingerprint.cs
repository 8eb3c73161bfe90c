using Federation.Resync.Core.Fingerprints;

namespace Federation.Storage.Dag.Fingerprints;

/// <summary>A committed group's lattice (never changed once built) and fingerprint.</summary>
internal sealed record CachedFingerprint(byte[] Lattice, StateFingerprint Fingerprint)
{
    public static CachedFingerprint Of(StateAccumulator accumulator) => new(accumulator.Lattice.ToArray(), accumulator.Fingerprint());

    public StateAccumulator ToAccumulator() => StateAccumulator.From(Lattice, Fingerprint.Count);
}
