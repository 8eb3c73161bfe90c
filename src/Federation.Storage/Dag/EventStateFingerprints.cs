using Federation.Resync.Core.Fingerprints;

namespace Federation.Storage.Dag;

/// <summary>Our stored fingerprints of the states before and after one event; a side is null when its state group has
/// no stored fingerprint yet.</summary>
public sealed record EventStateFingerprints(StateFingerprint? Before, StateFingerprint? After);
