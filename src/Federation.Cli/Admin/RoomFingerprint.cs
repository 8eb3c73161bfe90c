using Federation.Ingest.State;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;

namespace Federation.Cli.Admin;

/// <summary>
/// <c>room fingerprint</c>: our MSC4500 state digests of a room, to compare by hand with another server's (its
/// <c>/state_accumulator</c> answers, or the same command run there): the current state and the state after each
/// forward extremity, or the states before and after one event; and the room's latest divergence report.
/// </summary>
internal sealed class RoomFingerprint(DagStore store, DivergenceReportStore reports, TextWriter output)
{
    public async Task<int> RunAsync(AdminArguments arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var roomId = arguments.RoomId!;
        if (await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false) is null)
        {
            return await AdminCommands.UnknownRoomAsync(output, roomId).ConfigureAwait(false);
        }

        await output.WriteLineAsync($"room {roomId} (lthash16 digests)").ConfigureAwait(false);
        if (arguments.EventId is { } eventId)
        {
            var before = await store.GetStateFingerprintAsync(roomId, eventId, StatePosition.Before, cancellationToken).ConfigureAwait(false);
            var after = await store.GetStateFingerprintAsync(roomId, eventId, StatePosition.After, cancellationToken).ConfigureAwait(false);
            if (before is null || after is null)
            {
                await output.WriteLineAsync($"error: {roomId} holds no state at {eventId} (unknown event or outlier)").ConfigureAwait(false);
                return CliApp.InvalidInput;
            }

            await output.WriteLineAsync($"before {eventId}: {Describe(before)}").ConfigureAwait(false);
            await output.WriteLineAsync($"after  {eventId}: {Describe(after)}").ConfigureAwait(false);
            return CliApp.Success;
        }

        var current = await new CurrentFingerprintReader(store, new StateCalculator(store)).ReadAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            await output.WriteLineAsync("error: the room has no forward extremity with state").ConfigureAwait(false);
            return CliApp.InvalidInput;
        }

        await output.WriteLineAsync(
            $"current state: {current.Fingerprint.Digest} ({current.Fingerprint.Count} entries; over {current.Extremities.Count} forward extremities)")
            .ConfigureAwait(false);
        foreach (var extremity in current.Extremities)
        {
            await output.WriteLineAsync($"  after {extremity.EventId}: {Describe(extremity.Fingerprint)}").ConfigureAwait(false);
        }

        await DivergenceReportLines.WriteAsync(reports, roomId, output, cancellationToken).ConfigureAwait(false);

        return CliApp.Success;
    }

    private static string Describe(StoredStateFingerprint fingerprint) => $"{fingerprint.Digest} ({fingerprint.Count} entries)";
}
