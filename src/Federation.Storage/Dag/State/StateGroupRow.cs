namespace Federation.Storage.Dag.State;

/// <summary>One stored state group: a full snapshot (no <see cref="Prev"/>) or a delta on <see cref="Prev"/>. Immutable.</summary>
/// <param name="Nid">state_groups.state_group_nid.</param>
/// <param name="Prev">The group the delta applies to; null for a full snapshot.</param>
/// <param name="Height">Position in the lineage (see <see cref="StateGroupLevels"/>).</param>
/// <param name="Slots">Slot nids, parallel to <paramref name="Events"/>.</param>
/// <param name="Events">Event nid now in each slot; <see cref="StateGroupLevels.Removed"/> empties it.</param>
internal sealed record StateGroupRow(long Nid, long? Prev, int Height, long[] Slots, long[] Events)
{
    public bool IsFullSnapshot => Prev is null;
}
