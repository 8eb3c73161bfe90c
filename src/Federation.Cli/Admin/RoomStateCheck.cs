using Federation.Ingest.State;
using Federation.StateResolution;
using Federation.StateResolution.Dag;
using Federation.StateResolution.Graph;
using Federation.Storage.Dag;

namespace Federation.Cli.Admin;

/// <summary>
/// <c>room state</c>: re-runs state resolution for the state before an event from the stored DAG and prints how it
/// differs from the state the store holds for it. By default the re-resolution starts from the stored states after the
/// event's prev events (what the receive pipeline did when the event arrived); with <c>--from-scratch</c> it walks the
/// whole ancestry down to the create event and recomputes every state on the way (trusting the stored rejections),
/// which also catches a wrong state stored further back.
/// </summary>
internal sealed class RoomStateCheck(DagStore store, TextWriter output)
{
    public async Task<int> RunAsync(AdminArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var (roomId, eventId) = (arguments.RoomId!, arguments.EventId!);
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is not { } version)
        {
            return await AdminCommands.UnknownRoomAsync(output, roomId).ConfigureAwait(false);
        }

        if ((await store.GetEventsAsync(roomId, [eventId], cancellationToken).ConfigureAwait(false)) is not [var stored])
        {
            await output.WriteLineAsync($"error: {roomId} holds no event {eventId}").ConfigureAwait(false);
            return CliApp.InvalidInput;
        }

        if (await store.GetStateAsync(roomId, eventId, StatePosition.Before, cancellationToken).ConfigureAwait(false) is not { } held)
        {
            await output.WriteLineAsync($"error: {eventId} is an outlier: the store holds no state for it").ConfigureAwait(false);
            return CliApp.InvalidInput;
        }

        Dictionary<StateKey, string> recomputed;
        string how;
        if (arguments.FromScratch)
        {
            var graph = new RoomGraph(version, new RoomEventSource(store, roomId), roomId);
            try
            {
                var state = await new DagStateCalculator(graph, DagMode.TrustDag).StateBeforeAsync(eventId, cancellationToken).ConfigureAwait(false);
                recomputed = graph.ToEntries(state).ToDictionary(e => e.Key, e => e.Value);
            }
            catch (StateResolutionException e)
            {
                await output.WriteLineAsync($"error: cannot walk the DAG from the create event to {eventId}: {e.Message} (a hole?)").ConfigureAwait(false);
                return CliApp.InvalidInput;
            }

            how = $"recomputed over the whole DAG below it ({graph.EventCount} events)";
        }
        else
        {
            var calculator = new StateCalculator(store);
            var prevStates = new List<RoomState>();
            foreach (var prev in stored.Pdu.PrevEvents.Distinct(StringComparer.Ordinal))
            {
                if (await calculator.StateAfterAsync(roomId, prev, cancellationToken).ConfigureAwait(false) is not { } after)
                {
                    await output.WriteLineAsync($"error: prev event {prev} has no stored state (a hole or an outlier); try --from-scratch")
                        .ConfigureAwait(false);
                    return CliApp.InvalidInput;
                }

                prevStates.Add(after);
            }

            var resolved = await calculator.ResolveAsync(version, prevStates, pending: null, cancellationToken).ConfigureAwait(false);
            recomputed = resolved.Entries.ToDictionary(e => new StateKey(e.Key.Type, e.Key.StateKey), e => e.Value);
            how = $"re-resolved from the stored states after its {prevStates.Count} prev events";
        }

        var storedState = held.ToDictionary(e => new StateKey(e.Key.Type, e.Key.StateKey), e => e.Value);
        await output.WriteLineAsync($"state before {eventId} in {roomId}: stored {storedState.Count} entries, {how}: {recomputed.Count} entries")
            .ConfigureAwait(false);
        var differences = storedState.Keys.Union(recomputed.Keys)
            .Where(key => !string.Equals(storedState.GetValueOrDefault(key), recomputed.GetValueOrDefault(key), StringComparison.Ordinal))
            .Order()
            .ToList();
        if (differences.Count == 0)
        {
            await output.WriteLineAsync("same: the stored state is what resolution gives").ConfigureAwait(false);
            return CliApp.Success;
        }

        await output.WriteLineAsync($"{differences.Count} differences (type, state key: stored -> recomputed):").ConfigureAwait(false);
        foreach (var key in differences)
        {
            await output.WriteLineAsync(
                $"  {key.Type} \"{key.Key}\": {storedState.GetValueOrDefault(key) ?? "(none)"} -> {recomputed.GetValueOrDefault(key) ?? "(none)"}")
                .ConfigureAwait(false);
        }

        return AdminCommands.StateDiffers;
    }
}
