using Federation.Resync.Core.Fingerprints;

namespace Federation.Storage.Dag;

/// <summary>Our fingerprint of a state held by the store: the MSC4500 digest and entry count, and the raw 2048-byte
/// lattice they come from (what <c>/state_accumulator</c> serves).</summary>
public sealed record StoredStateFingerprint(StateFingerprint Fingerprint, ReadOnlyMemory<byte> Lattice)
{
    public StateDigest Digest => Fingerprint.Digest;

    public long Count => Fingerprint.Count;
}
