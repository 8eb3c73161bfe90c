using System.Text.Json;
using Federation.Protocol.Errors;
using Federation.Protocol.RoomVersions;

namespace Federation.StateResolution.Documents;

/// <summary>One event of a room document as written, before it becomes a PDU.</summary>
/// <param name="EventId">The event's <c>event_id</c> (trusted, never recomputed).</param>
/// <param name="Json">The event object.</param>
/// <param name="PrevEvents">Its prev events (plain ids or the id of <c>[id, hashes]</c> pairs); unknown ids are
/// allowed (as in Synapse and ruma, events that are not known are skipped) until the DAG walk needs them.</param>
/// <param name="AuthEvents">Its auth events, or <c>null</c> when the event has no <c>auth_events</c> key and they are
/// to be derived from the state before it.</param>
/// <param name="Position">Its index in the document's <c>events</c> array.</param>
public sealed record EventDraft(string EventId, JsonElement Json, IReadOnlyList<string> PrevEvents, IReadOnlyList<string>? AuthEvents, int Position);

/// <summary>One entry of a state set: <c>[type, state_key, event_id]</c>.</summary>
public readonly record struct StateEntry(StateKey Key, string EventId);

/// <summary>
/// A room written as JSON: <c>{"room_version": "10", "events": [...], "state_sets": [[[type, state_key, event_id], ...], ...]}</c>
/// (state sets optional; other top-level keys ignored). Events are PDU-shaped objects carrying their own
/// <c>event_id</c>; an event without <c>auth_events</c> gets them from the state before it (see
/// <see cref="RoomSession"/>). Ids are used exactly as written, also bare ones such as Synapse's <c>"A1"</c>
/// (<see cref="Federation.Protocol.Events.Pdu.WithTrustedId"/> accepts referenced ids of any non-empty form).
/// </summary>
public sealed class RoomDocument
{
    private RoomDocument(RoomVersion version, IReadOnlyList<EventDraft> events, IReadOnlyList<IReadOnlyList<StateEntry>>? stateSets)
    {
        RoomVersion = version;
        Events = events;
        StateSets = stateSets;
    }

    public RoomVersion RoomVersion { get; }

    public IReadOnlyList<EventDraft> Events { get; }

    /// <summary>The <c>state_sets</c>, or <c>null</c> when the document has none.</summary>
    public IReadOnlyList<IReadOnlyList<StateEntry>>? StateSets { get; }

    /// <summary>Reads a document; the events are cloned, so <paramref name="root"/>'s JSON document may be disposed.</summary>
    /// <exception cref="StateResolutionException">The document is malformed; the message says where.</exception>
    public static RoomDocument Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new StateResolutionException("the document must be a JSON object");
        }

        var versionId = root.TryGetProperty("room_version", out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
        if (versionId is null)
        {
            throw new StateResolutionException("'room_version' is required and must be a string");
        }

        RoomVersion version;
        try
        {
            version = RoomVersion.Get(versionId);
        }
        catch (MatrixException)
        {
            throw new StateResolutionException($"unknown room version '{versionId}'");
        }

        if (!root.TryGetProperty("events", out var eventsJson) || eventsJson.ValueKind != JsonValueKind.Array)
        {
            throw new StateResolutionException("'events' is required and must be an array");
        }

        var events = new List<EventDraft>(eventsJson.GetArrayLength());
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in eventsJson.EnumerateArray())
        {
            var position = events.Count;
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new StateResolutionException($"events[{position}] must be an object");
            }

            if (!item.TryGetProperty("event_id", out var idJson) || idJson.ValueKind != JsonValueKind.String
                || idJson.GetString() is not { Length: > 0 } eventId)
            {
                throw new StateResolutionException($"events[{position}] has no string 'event_id'");
            }

            if (!ids.Add(eventId))
            {
                throw new StateResolutionException($"event {eventId} appears twice in 'events'");
            }

            var prevs = ReadReferences(item, "prev_events", eventId) ?? [];
            var auth = ReadReferences(item, "auth_events", eventId);
            events.Add(new EventDraft(eventId, item.Clone(), prevs, auth, position));
        }

        List<IReadOnlyList<StateEntry>>? stateSets = null;
        if (root.TryGetProperty("state_sets", out var setsJson) && setsJson.ValueKind != JsonValueKind.Null)
        {
            stateSets = ReadStateSets(setsJson, ids);
        }

        return new RoomDocument(version, events, stateSets);
    }

    private static List<string>? ReadReferences(JsonElement item, string name, string eventId)
    {
        if (!item.TryGetProperty(name, out var list))
        {
            return null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new StateResolutionException($"event {eventId}: '{name}' must be an array");
        }

        var result = new List<string>(list.GetArrayLength());
        foreach (var entry in list.EnumerateArray())
        {
            var id = entry.ValueKind switch
            {
                JsonValueKind.String => entry.GetString(),
                JsonValueKind.Array when entry.GetArrayLength() > 0 && entry[0].ValueKind == JsonValueKind.String => entry[0].GetString(),
                _ => null,
            };
            if (string.IsNullOrEmpty(id))
            {
                throw new StateResolutionException($"event {eventId}: '{name}' holds something that is not an event id or [event_id, hashes] pair");
            }

            result.Add(id);
        }

        return result;
    }

    private static List<IReadOnlyList<StateEntry>> ReadStateSets(JsonElement setsJson, HashSet<string> ids)
    {
        if (setsJson.ValueKind != JsonValueKind.Array)
        {
            throw new StateResolutionException("'state_sets' must be an array of state sets");
        }

        var sets = new List<IReadOnlyList<StateEntry>>();
        foreach (var setJson in setsJson.EnumerateArray())
        {
            var index = sets.Count;
            if (setJson.ValueKind != JsonValueKind.Array)
            {
                throw new StateResolutionException($"state_sets[{index}] must be an array of [type, state_key, event_id]");
            }

            var entries = new List<StateEntry>(setJson.GetArrayLength());
            var keys = new HashSet<StateKey>();
            foreach (var entry in setJson.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Array || entry.GetArrayLength() != 3
                    || entry[0].ValueKind != JsonValueKind.String || entry[1].ValueKind != JsonValueKind.String
                    || entry[2].ValueKind != JsonValueKind.String)
                {
                    throw new StateResolutionException($"state_sets[{index}] has an entry that is not [type, state_key, event_id]: {entry.GetRawText()}");
                }

                var key = new StateKey(entry[0].GetString()!, entry[1].GetString()!);
                var eventId = entry[2].GetString()!;
                if (!ids.Contains(eventId))
                {
                    throw new StateResolutionException($"state_sets[{index}]: event {eventId} at {key} is not in 'events'");
                }

                if (!keys.Add(key))
                {
                    throw new StateResolutionException($"state_sets[{index}] lists {key} twice");
                }

                entries.Add(new StateEntry(key, eventId));
            }

            sets.Add(entries);
        }

        return sets;
    }
}
