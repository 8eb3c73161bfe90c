using Federation.Resync.Core.Fingerprints;
using Federation.Storage.Dag;

namespace Federation.Resync.Divergence;

/// <summary>Our fingerprint of a room's current state (the resolution of its forward extremities' states), with the
/// fingerprint after each extremity.</summary>
public sealed record CurrentFingerprint(StateFingerprint Fingerprint, IReadOnlyList<ExtremityFingerprint> Extremities);
