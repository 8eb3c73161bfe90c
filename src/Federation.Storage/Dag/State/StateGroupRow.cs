namespace Federation.Storage.Dag.State;

/// <summary>One stored state group: a full snapshot (no <see cref="Prev"/>) or a delta on <see cref="Prev"/>. Immutable.</summary>
/// <param name="Nid">state_groups.state_group_nid.</param>
/// <param name="Prev">The group the delta applies to; null for a full snapshot.</param>
/// <param name="Height">Position in the lineage (see <see cref="StateGroupLevels"/>).</param>
/// <param name="Slots">Slot nids, parallel to <paramref name="Events"/>.</param>
/// <param name="Events">Event nid now in each slot; <see cref="StateGroupLevels.Removed"/> empties it.</param>
internal sealed record StateGroupRow(long Nid, long? Prev, int Height, long[] Slots, long[] Events)
{
    /// <summary>Rows of at least this many entries store their event ids with them (<c>state_groups.event_ids</c>), so
    /// that a cold read of a big state does not look 100k ids up one index entry at a time.</summary>
    public const int EventIdsStoredFrom = 2_048;

    // Rows longer than this get a slot index on first lookup (a full snapshot of a big room holds 100k slots).
    private const int IndexedLength = 64;

    private Dictionary<long, long>? index;

    public bool IsFullSnapshot => Prev is null;

    /// <summary>The event id of each entry, parallel to <see cref="Events"/> (empty for an emptied slot): held by rows
    /// of <see cref="EventIdsStoredFrom"/> entries or more, null on others. Set once, before the row is shared.</summary>
    public string[]? EventIds { get; set; }

    /// <summary>Whether the row is big enough to store its event ids.</summary>
    public bool StoresEventIds => Events.Length >= EventIdsStoredFrom;

    /// <summary>The entry this row holds for <paramref name="slot"/> (possibly <see cref="StateGroupLevels.Removed"/>);
    /// false when the row does not mention the slot.</summary>
    public bool TryFind(long slot, out long eventNid)
    {
        if (Slots.Length <= IndexedLength)
        {
            var at = Array.IndexOf(Slots, slot);
            eventNid = at < 0 ? 0 : Events[at];
            return at >= 0;
        }

        // Racing readers may each build an index; they are equal, and rows never change.
        index ??= Slots.Zip(Events).ToDictionary(pair => pair.First, pair => pair.Second);
        return index.TryGetValue(slot, out eventNid);
    }
}
