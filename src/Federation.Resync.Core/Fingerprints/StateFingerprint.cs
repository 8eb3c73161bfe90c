namespace Federation.Resync.Core.Fingerprints;

/// <summary>What two servers compare about a state: its digest, and its entry count (diagnostic only: MSC4500 forbids
/// treating equal counts as any evidence of equal state).</summary>
public readonly record struct StateFingerprint(StateDigest Digest, long Count);
