namespace Federation.Resync.Core.Fingerprints;

/// <summary>
/// The fingerprint of one state map kept up to date change by change: a <see cref="StateLattice"/> and the number of
/// entries. The map itself stays the caller's (MSC4500: the accumulator commits to a set, it does not manage one), so
/// a replacement names the entry it removes. Mutable; not thread-safe.
/// </summary>
public sealed class StateAccumulator
{
    private StateAccumulator(StateLattice lattice, long count)
    {
        Lattice = lattice;
        Count = count;
    }

    /// <summary>The lattice (owned by this accumulator).</summary>
    public StateLattice Lattice { get; }

    /// <summary>Entries in the map.</summary>
    public long Count { get; private set; }

    /// <summary>The accumulator of the empty map.</summary>
    public static StateAccumulator Empty() => new(StateLattice.Empty(), 0);

    /// <summary>An accumulator continuing from a stored lattice and count (the lattice is copied).</summary>
    public static StateAccumulator From(ReadOnlySpan<byte> lattice, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return new StateAccumulator(StateLattice.FromBytes(lattice), count);
    }

    /// <summary>The accumulator of a whole map, computed from scratch.</summary>
    public static StateAccumulator Of(IEnumerable<StateEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var accumulator = Empty();
        foreach (var entry in entries)
        {
            accumulator.Add(entry);
        }

        return accumulator;
    }

    /// <summary>An independent copy.</summary>
    public StateAccumulator Clone() => new(Lattice.Clone(), Count);

    /// <summary>A slot that was empty now holds <paramref name="entry"/>.</summary>
    public void Add(StateEntry entry)
    {
        Lattice.Add(entry.Type, entry.StateKey, entry.EventId);
        Count++;
    }

    /// <summary>The slot holding <paramref name="entry"/> is emptied.</summary>
    public void Remove(StateEntry entry)
    {
        Lattice.Remove(entry.Type, entry.StateKey, entry.EventId);
        Count--;
    }

    /// <summary>
    /// The slot of <paramref name="removed"/> now holds <paramref name="added"/>. Both must name the same slot: anything
    /// else is a caller's bug and fails (MSC4500 requires a replacement to fail closed rather than be reinterpreted).
    /// </summary>
    public void Replace(StateEntry removed, StateEntry added)
    {
        if (!string.Equals(removed.Type, added.Type, StringComparison.Ordinal)
            || !string.Equals(removed.StateKey, added.StateKey, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"A replacement must keep its slot: ({removed.Type}, {removed.StateKey}) is not ({added.Type}, {added.StateKey}).");
        }

        Lattice.Remove(removed.Type, removed.StateKey, removed.EventId);
        Lattice.Add(added.Type, added.StateKey, added.EventId);
    }

    /// <summary>The digest and count now.</summary>
    public StateFingerprint Fingerprint() => new(Lattice.Digest(), Count);
}
