using Federation.Protocol.Json;
using Federation.Storage.Dag.State;
using Npgsql;

namespace Federation.Storage.Dag;

/// <summary>Turns a <see cref="WritePlan"/> into the statements of the write round trip (see <see cref="WriteSql"/>).</summary>
internal static class WriteCommands
{
    /// <summary>Adds the write's statements to <paramref name="batch"/>, and sets <paramref name="extremities"/> to how
    /// the write changes the room's forward extremities when that is decided here (null when the database decides part
    /// of it: an event behind a failed prev, a candidate that may have children).</summary>
    /// <returns>
    /// True when the batch got <see cref="WriteSql.WriteAll"/> alone, the shape of almost every write and safe to
    /// prepare (see there); false when rare statements followed.
    /// </returns>
    public static bool Add(
        NpgsqlBatch batch,
        RoomRef room,
        WritePlan plan,
        List<StateGroupRow> groups,
        Dictionary<string, EventRef> refs,
        StateSlotInterner interner,
        long nowMs,
        out ExtremityChange? extremities)
    {
        var written = plan.Written;
        var fresh = new List<WrittenEvent>(written.Count);
        var deOutliered = new List<WrittenEvent>();
        var timeline = new List<WrittenEvent>(written.Count);
        foreach (var w in written)
        {
            (w.DeOutlier ? deOutliered : fresh).Add(w);
            if (!w.Event.IsOutlier)
            {
                timeline.Add(w);
            }
        }

        var command = new NpgsqlBatchCommand(WriteSql.WriteAll);
        var p = command.Parameters;
        Param(p, room.Nid);
        AddGroups(p, [.. groups.Where(g => g.EventIds is null)]);
        AddEvents(p, fresh, interner);
        AddEdges(p, fresh, refs);
        AddHolesFound(p, timeline, refs, nowMs);

        // Extremities: candidates are the accepted timeline events not from backfill; their prevs stop being extremities.
        var candidates = timeline.Where(w => w.Event.Status == EventStatus.Accepted && !w.Event.IsBackfilled).ToList();
        var prevs = candidates.SelectMany(w => w.Event.Pdu.PrevEvents).Distinct(StringComparer.Ordinal).Select(id => refs[id]).ToList();
        var prevNids = prevs.Select(prev => prev.Nid).ToArray();
        var behindFailed = prevs.Exists(prev => prev.Held && prev.Status != EventStatus.Accepted);
        if (behindFailed)
        {
            // The rare case keeps the separate statements, in the order the rule needs (they see the rows written above).
            Param(p, Array.Empty<long>());
            Param(p, Array.Empty<long>());
            batch.BatchCommands.Add(command);
            AddRareStatements(batch, deOutliered, timeline, refs);
            var candidateNids = candidates.Select(w => w.Nid).ToArray();
            batch.BatchCommands.Add(Sql.Command(WriteSql.DeleteExtremities, room.Nid, prevNids));
            batch.BatchCommands.Add(Sql.Command(WriteSql.DeleteExtremitiesBehindFailed, room.Nid, prevNids));
            batch.BatchCommands.Add(Sql.Command(WriteSql.InsertExtremities, room.Nid, candidateNids));
            extremities = null;
        }
        else
        {
            // A candidate with an accepted timeline child in this batch is not an extremity; the statement cannot see
            // the batch's own edges, so that is decided here. A candidate numbered by this write cannot have a child
            // outside it either, so WriteAll adds it unchecked; only a candidate known before the write (a hole being
            // filled, an outlier de-outliered) may have children in the database, and InsertExtremities checks it
            // after WriteAll.
            var parents = new HashSet<string>(
                timeline.Where(w => w.Event.Status == EventStatus.Accepted).SelectMany(w => w.Event.Pdu.PrevEvents),
                StringComparer.Ordinal);
            var childless = candidates
                .Where(w => !parents.Contains(w.Event.Pdu.EventId))
                .ToLookup(w => refs[w.Event.Pdu.EventId].KnownBefore);
            var knownBefore = childless[true].Select(w => w.Nid).ToArray();
            Param(p, prevNids);
            Param(p, childless[false].Select(w => w.Nid).ToArray());
            extremities = knownBefore.Length > 0
                ? null
                : new ExtremityChange(
                    [.. candidates.SelectMany(w => w.Event.Pdu.PrevEvents)],
                    [.. childless[false].Select(w => w.Event.Pdu.EventId)]);
            batch.BatchCommands.Add(command);
            AddRareStatements(batch, deOutliered, timeline, refs);
            if (knownBefore.Length > 0)
            {
                batch.BatchCommands.Add(Sql.Command(WriteSql.InsertExtremities, room.Nid, knownBefore));
            }
        }

        foreach (var group in groups.Where(g => g.EventIds is not null))
        {
            batch.BatchCommands.Add(Sql.Command(
                WriteSql.InsertGroupWithEventIds,
                group.Nid,
                room.Nid,
                group.Prev,
                group.Height,
                group.Slots,
                group.Events,
                PackedEventIds.Pack(group.EventIds!)));
        }

        if (written.FirstOrDefault(w => w.Event.Pdu.IsCreateEvent) is { } create)
        {
            batch.BatchCommands.Add(Sql.Command(WriteSql.SetCreateEvent, room.Nid, create.Nid));
        }

        return batch.BatchCommands.Count == 1;
    }

    // $2–$8: state groups, their slot and event arrays passed flat with offsets and lengths.
    private static void AddGroups(NpgsqlParameterCollection p, List<StateGroupRow> groups)
    {
        var nids = new long[groups.Count];
        var prevs = new long?[groups.Count];
        var heights = new int[groups.Count];
        var offsets = new int[groups.Count];
        var lengths = new int[groups.Count];
        var total = 0;
        for (var i = 0; i < groups.Count; i++)
        {
            nids[i] = groups[i].Nid;
            prevs[i] = groups[i].Prev;
            heights[i] = groups[i].Height;
            offsets[i] = total;
            lengths[i] = groups[i].Slots.Length;
            total += lengths[i];
        }

        var slots = new long[total];
        var events = new long[total];
        for (var i = 0; i < groups.Count; i++)
        {
            groups[i].Slots.CopyTo(slots, offsets[i]);
            groups[i].Events.CopyTo(events, offsets[i]);
        }

        Param(p, nids);
        Param(p, prevs);
        Param(p, heights);
        Param(p, offsets);
        Param(p, lengths);
        Param(p, slots);
        Param(p, events);
    }

    // $9–$23: events (in batch order) and their JSON.
    private static void AddEvents(NpgsqlParameterCollection p, List<WrittenEvent> fresh, StateSlotInterner interner)
    {
        var n = fresh.Count;
        var nids = new long[n];
        var types = new int[n];
        var slots = new long?[n];
        var senders = new string[n];
        var depths = new long[n];
        var timestamps = new long[n];
        var statuses = new short[n];
        var reasons = new string?[n];
        var outliers = new bool[n];
        var backfilled = new bool[n];
        var memberships = new string?[n];
        var before = new long?[n];
        var after = new long?[n];
        var json = new byte[n][];
        var redacted = new byte[]?[n];
        for (var i = 0; i < n; i++)
        {
            var w = fresh[i];
            var e = w.Event;
            var pdu = e.Pdu;
            nids[i] = w.Nid;
            types[i] = interner.TypeNid(pdu.Type);
            slots[i] = pdu.StateKey is { } key ? interner.SlotNid(new StateSlot(pdu.Type, key)) : null;
            senders[i] = pdu.Sender;
            depths[i] = pdu.Depth;
            timestamps[i] = pdu.OriginServerTs;
            statuses[i] = (short)e.Status;
            reasons[i] = e.RejectionReason;
            outliers[i] = e.IsOutlier;
            backfilled[i] = e.IsBackfilled;
            memberships[i] = pdu.Membership;
            before[i] = w.Before;
            after[i] = w.After;
            json[i] = e.CanonicalJson is { } canonical ? canonical.ToArray() : CanonicalJson.Encode(pdu.Json);
            redacted[i] = e.RedactedJson is { } redactedJson ? CanonicalJson.Encode(redactedJson) : null;
        }

        Param(p, nids);
        Param(p, types);
        Param(p, slots);
        Param(p, senders);
        Param(p, depths);
        Param(p, timestamps);
        Param(p, statuses);
        Param(p, reasons);
        Param(p, outliers);
        Param(p, backfilled);
        Param(p, memberships);
        Param(p, before);
        Param(p, after);
        Param(p, json);
        Param(p, redacted);
    }

    // $24–$27: prev edges of the new events as (event, prev) pairs, then their auth events flat with each event's count
    // (stored on the event row). A target named twice is stored once.
    private static void AddEdges(NpgsqlParameterCollection p, List<WrittenEvent> fresh, Dictionary<string, EventRef> refs)
    {
        var from = new List<long>(fresh.Count * 2);
        var to = new List<long>(fresh.Count * 2);
        var auth = new List<long>(fresh.Count * 4);
        var authCounts = new int[fresh.Count];
        for (var e = 0; e < fresh.Count; e++)
        {
            var w = fresh[e];
            var prevs = w.Event.Pdu.PrevEvents;
            for (var i = 0; i < prevs.Count; i++)
            {
                if (!Contains(prevs, i, prevs[i]))
                {
                    from.Add(w.Nid);
                    to.Add(refs[prevs[i]].Nid);
                }
            }

            var authEvents = w.Event.Pdu.AuthEvents;
            for (var i = 0; i < authEvents.Count; i++)
            {
                if (!Contains(authEvents, i, authEvents[i]))
                {
                    auth.Add(refs[authEvents[i]].Nid);
                    authCounts[e]++;
                }
            }
        }

        Param(p, from.ToArray());
        Param(p, to.ToArray());
        Param(p, auth.ToArray());
        Param(p, authCounts);
    }

    // Outliers now persisted as timeline events, and holes filled by events that were referenced before this write.
    private static void AddRareStatements(
        NpgsqlBatch batch, List<WrittenEvent> deOutliered, List<WrittenEvent> timeline, Dictionary<string, EventRef> refs)
    {
        if (deOutliered.Count > 0)
        {
            batch.BatchCommands.Add(Sql.Command(
                WriteSql.DeOutlier,
                deOutliered.Select(w => w.Nid).ToArray(),
                deOutliered.Select(w => (short)w.Event.Status).ToArray(),
                deOutliered.Select(w => w.Event.RejectionReason).ToArray(),
                deOutliered.Select(w => w.Event.IsBackfilled).ToArray(),
                deOutliered.Select(w => w.Before).ToArray(),
                deOutliered.Select(w => w.After).ToArray()));
        }

        var filled = timeline.Where(w => refs[w.Event.Pdu.EventId].KnownBefore).Select(w => w.Nid).ToArray();
        if (filled.Length > 0)
        {
            batch.BatchCommands.Add(Sql.Command(WriteSql.DeleteFilledHoles, (object)filled));
        }
    }

    // $28–$29: holes the batch finds: prevs of timeline events not held as timeline events once the batch is in (the
    // planner has marked the batch's own events held).
    private static void AddHolesFound(NpgsqlParameterCollection p, List<WrittenEvent> timeline, Dictionary<string, EventRef> refs, long nowMs)
    {
        var found = new HashSet<long>();
        foreach (var w in timeline)
        {
            foreach (var prev in w.Event.Pdu.PrevEvents)
            {
                var target = refs[prev];
                if (!target.Held || target.Outlier)
                {
                    found.Add(target.Nid);
                }
            }
        }

        Param(p, found.ToArray());
        Param(p, nowMs);
    }

    private static bool Contains(IReadOnlyList<string> list, int before, string value)
    {
        for (var i = 0; i < before; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void Param(NpgsqlParameterCollection parameters, object? value) =>
        parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
}
