using Federation.Storage.Dag.Fingerprints;
using Federation.Storage.Dag.State;

namespace Federation.Storage.Dag;

/// <summary>Decides, event by event in batch order, what a write stores and which state groups it creates.</summary>
internal sealed class WritePlanner(DagStore store, StateGroupWorkspace workspace, Dictionary<string, EventRef> refs, long[] groupNids)
{
    private int nextGroup;

    /// <summary>The groups created, with the parent and changes each was derived from (for their fingerprints).</summary>
    public List<GroupDerivation> Derivations { get; } = [];

    public async Task<WritePlan> PlanAsync(IReadOnlyList<EventToPersist> events, CancellationToken cancellationToken)
    {
        var written = new List<WrittenEvent>(events.Count);
        var skipped = new List<EventToPersist>();
        foreach (var entry in events)
        {
            var self = refs[entry.Pdu.EventId];
            if (self.Held && (!self.Outlier || entry.IsOutlier))
            {
                skipped.Add(entry);
                continue;
            }

            long? before = null;
            long? after = null;
            if (entry.StateBefore is { } stateBefore)
            {
                before = await BeforeGroupAsync(entry, stateBefore, cancellationToken).ConfigureAwait(false);
                after = entry.Pdu.StateKey is { } stateKey && entry.Status != EventStatus.Rejected
                    ? await NewGroupAsync(
                        before,
                        new Dictionary<long, long> { [store.SlotNid(new StateSlot(entry.Pdu.Type, stateKey))] = self.Nid },
                        cancellationToken).ConfigureAwait(false)
                    : before;
            }

            written.Add(new WrittenEvent(entry, self.Nid, before, after, DeOutlier: self.Held));
            self.Held = true;
            self.Outlier = entry.IsOutlier;
            self.Status = entry.Status;
            self.Before = before;
            self.After = after;
        }

        return new WritePlan(written, skipped);
    }

    private async Task<long> BeforeGroupAsync(EventToPersist entry, StateBefore stateBefore, CancellationToken cancellationToken)
    {
        switch (stateBefore)
        {
            case StateBefore.AfterEvent after:
                return AfterGroupOf(after.EventId, entry);

            case StateBefore.DeltaOnEvent delta:
            {
                var baseGroup = AfterGroupOf(delta.EventId, entry);
                var changes = new Dictionary<long, long>(delta.Changes.Count);
                foreach (var (slot, eventId) in delta.Changes)
                {
                    changes[store.SlotNid(slot)] = eventId is null ? StateGroupLevels.Removed : StateEvent(eventId, entry);
                }

                return changes.Count == 0 ? baseGroup : await NewGroupAsync(baseGroup, changes, cancellationToken).ConfigureAwait(false);
            }

            case StateBefore.FullMap full:
            {
                var target = new Dictionary<long, long>(full.State.Count);
                foreach (var (slot, eventId) in full.State)
                {
                    target[store.SlotNid(slot)] = StateEvent(eventId, entry);
                }

                var baseGroup = entry.Pdu.PrevEvents
                    .Select(prev => refs[prev])
                    .FirstOrDefault(prev => prev.Held && !prev.Outlier)?.After;
                if (baseGroup is not long baseNid)
                {
                    return await NewGroupAsync(null, target, cancellationToken).ConfigureAwait(false);
                }

                await workspace.EnsureChainAsync(baseNid, -1, stopAtResolved: true, cancellationToken).ConfigureAwait(false);
                var baseState = workspace.Materialise(baseNid).Map;
                var changes = new Dictionary<long, long>();
                foreach (var (slot, eventNid) in target)
                {
                    if (!baseState.TryGetValue(slot, out var current) || current != eventNid)
                    {
                        changes[slot] = eventNid;
                    }
                }

                foreach (var slot in baseState.Keys)
                {
                    if (!target.ContainsKey(slot))
                    {
                        changes[slot] = StateGroupLevels.Removed;
                    }
                }

                return changes.Count == 0 ? baseNid : await NewGroupAsync(baseNid, changes, cancellationToken).ConfigureAwait(false);
            }

            default:
                throw new ArgumentException($"Unknown kind of state {stateBefore.GetType().Name}.", nameof(stateBefore));
        }
    }

    private async Task<long> NewGroupAsync(long? parent, Dictionary<long, long> delta, CancellationToken cancellationToken)
    {
        if (parent is long parentNid)
        {
            await workspace.EnsureChainAsync(parentNid, int.MaxValue, stopAtResolved: false, cancellationToken).ConfigureAwait(false);
            var minHeight = workspace.ChildMinHeight(parentNid);
            await workspace.EnsureChainAsync(parentNid, minHeight, stopAtResolved: minHeight < 0, cancellationToken).ConfigureAwait(false);
        }

        var nid = workspace.Create(groupNids[nextGroup++], parent, delta).Nid;
        Derivations.Add(new GroupDerivation(nid, parent, delta));
        return nid;
    }

    private long AfterGroupOf(string eventId, EventToPersist entry)
    {
        var target = refs[eventId];
        return target.Held && target.After is long after
            ? after
            : throw new InvalidOperationException(
                $"The state before {entry.Pdu.EventId} is given relative to {eventId}, whose state the store does not hold.");
    }

    private long StateEvent(string eventId, EventToPersist entry)
    {
        var target = refs[eventId];
        return target.Held
            ? target.Nid
            : throw new InvalidOperationException(
                $"The state before {entry.Pdu.EventId} names {eventId}, which the store does not hold in this room.");
    }
}
