namespace Federation.Storage.Dag.Fingerprints;

/// <summary>How a write derived a new state group: the state of <paramref name="Parent"/> (none: the empty state) with
/// <paramref name="Delta"/> applied (slot nid → event nid, <see cref="State.StateGroupLevels.Removed"/> empties it).
/// This is the logical parent, whatever base the stored delta row uses.</summary>
internal sealed record GroupDerivation(long Nid, long? Parent, IReadOnlyDictionary<long, long> Delta);
