using Federation.Ingest.State;
using Federation.Storage.Dag;
using Federation.Testing.Events;

namespace Federation.Ingest.Benchmarks;

/// <summary>Compares what our server stored with <see cref="ExpectedOutcome"/>; every difference is listed.</summary>
public static class OutcomeVerifier
{
    public static async Task<List<string>> VerifyAsync(DagStore store, StateCalculator state, GeneratedRoom room, ExpectedOutcome expected)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(room);
        ArgumentNullException.ThrowIfNull(expected);
        var errors = new List<string>();
        foreach (var chunk in expected.WithState.Chunk(5_000))
        {
            var held = (await store.GetEventsAsync(room.RoomId, [.. chunk.Select(p => p.EventId)])).ToDictionary(e => e.EventId, StringComparer.Ordinal);
            foreach (var pdu in chunk)
            {
                if (!held.TryGetValue(pdu.EventId, out var stored) || stored.IsOutlier || stored.Status != EventStatus.Accepted)
                {
                    errors.Add($"{pdu.EventId} ({pdu.Type}) should be accepted with state: {stored?.ToString() ?? "not stored"}");
                }
            }
        }

        var holes = (await store.GetEventsAsync(room.RoomId, [.. expected.HoleEvents.Select(p => p.EventId)])).ToDictionary(e => e.EventId, StringComparer.Ordinal);
        errors.AddRange(expected.HoleEvents
            .Where(p => !holes.TryGetValue(p.EventId, out var stored) || !stored.IsOutlier)
            .Select(p => $"{p.EventId} should be an outlier (a hole)"));
        var behind = await store.GetEventsAsync(room.RoomId, [.. expected.NotWithState.Select(p => p.EventId)]);
        errors.AddRange(behind.Where(e => !e.IsOutlier).Select(e => $"{e.EventId} is behind a hole and should not have state"));

        var extremities = (await store.GetForwardExtremitiesAsync(room.RoomId)).ToHashSet(StringComparer.Ordinal);
        if (!extremities.Contains(expected.LastEvent) || !extremities.IsSubsetOf(expected.Extremities))
        {
            errors.Add($"Forward extremities of {room.RoomId}: expected the last event and some of {expected.Extremities.Count} " +
                $"[{string.Join(", ", expected.Extremities.Order(StringComparer.Ordinal))}], got {extremities.Count} " +
                $"[{string.Join(", ", extremities.Order(StringComparer.Ordinal))}]");
        }

        var current = await state.CurrentStateAsync(room.RoomId, room.Version, CancellationToken.None);
        foreach (var ((type, stateKey), pdu) in room.Builder.State)
        {
            if (current[type, stateKey] != pdu.EventId)
            {
                errors.Add($"Current state ({type}, {stateKey}) is {current[type, stateKey] ?? "empty"}, the remote's is {pdu.EventId}");
            }
        }

        return errors;
    }
}
