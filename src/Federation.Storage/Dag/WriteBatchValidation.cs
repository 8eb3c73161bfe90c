namespace Federation.Storage.Dag;

/// <summary>Checks a batch before anything touches the database, and lists what it refers to.</summary>
internal static class WriteBatchValidation
{
    public static void Validate(IReadOnlyList<EventToPersist> events)
    {
        var roomId = events[0].Pdu.RoomId;
        var version = events[0].Pdu.RoomVersion;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in events)
        {
            ArgumentNullException.ThrowIfNull(entry, nameof(events));
            var pdu = entry.Pdu;
            if (!string.Equals(pdu.RoomId, roomId, StringComparison.Ordinal) || pdu.RoomVersion != version)
            {
                throw new ArgumentException($"A batch holds events of one room; {pdu.EventId} is in {pdu.RoomId}, not {roomId}.", nameof(events));
            }

            if (!seen.Add(pdu.EventId))
            {
                throw new ArgumentException($"Event {pdu.EventId} appears twice in the batch.", nameof(events));
            }

            if ((entry.Status == EventStatus.Rejected) != (entry.RejectionReason is not null))
            {
                throw new ArgumentException($"Event {pdu.EventId}: a rejection reason is given exactly for rejected events.", nameof(events));
            }

            if (entry.IsOutlier == (entry.StateBefore is not null))
            {
                throw new ArgumentException(
                    $"Event {pdu.EventId}: an outlier has no state before it and every other event has one.", nameof(events));
            }
        }
    }

    /// <summary>Every event id the batch mentions: its events, their prev and auth events, and events named by states.</summary>
    public static string[] IdsOf(IReadOnlyList<EventToPersist> events)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in events)
        {
            ids.Add(entry.Pdu.EventId);
            ids.UnionWith(entry.Pdu.PrevEvents);
            ids.UnionWith(entry.Pdu.AuthEvents);
            switch (entry.StateBefore)
            {
                case StateBefore.AfterEvent after:
                    ids.Add(after.EventId);
                    break;
                case StateBefore.DeltaOnEvent delta:
                    ids.Add(delta.EventId);
                    ids.UnionWith(delta.Changes.Values.OfType<string>());
                    break;
                case StateBefore.FullMap full:
                    ids.UnionWith(full.State.Values);
                    break;
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// Most state groups the batch can create: one for a state before given as a delta or a full map, one for the state
    /// after a state event that is not rejected. "State after my prev" needs none, so a batch of messages allocates none.
    /// </summary>
    public static int GroupBudget(IReadOnlyList<EventToPersist> events)
    {
        var budget = 0;
        foreach (var entry in events)
        {
            if (entry.StateBefore is null)
            {
                continue;
            }

            budget += entry.StateBefore is StateBefore.AfterEvent ? 0 : 1;
            budget += entry.Pdu.StateKey is not null && entry.Status != EventStatus.Rejected ? 1 : 0;
        }

        return budget;
    }

    /// <summary>Every state slot the batch mentions: of its state events and in the states it gives.</summary>
    public static IReadOnlyCollection<StateSlot> SlotsOf(IReadOnlyList<EventToPersist> events)
    {
        var slots = new HashSet<StateSlot>();
        foreach (var entry in events)
        {
            if (entry.Pdu.StateKey is { } stateKey)
            {
                slots.Add(new StateSlot(entry.Pdu.Type, stateKey));
            }

            switch (entry.StateBefore)
            {
                case StateBefore.DeltaOnEvent delta:
                    slots.UnionWith(delta.Changes.Keys);
                    break;
                case StateBefore.FullMap full:
                    slots.UnionWith(full.State.Keys);
                    break;
            }
        }

        return slots;
    }
}
