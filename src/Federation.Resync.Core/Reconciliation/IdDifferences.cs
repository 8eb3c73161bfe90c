namespace Federation.Resync.Core.Reconciliation;

/// <summary>What the initiator learnt: ids it has that the other side lacks, and ids the other side has that it lacks.
/// With a frame-size limit an id may be reported more than once.</summary>
public sealed class IdDifferences
{
    public List<ItemId> Have { get; } = [];

    public List<ItemId> Need { get; } = [];
}
