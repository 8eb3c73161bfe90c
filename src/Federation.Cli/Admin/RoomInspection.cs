using System.Globalization;
using System.Text.Json;
using Federation.Ingest.State;
using Federation.Protocol.Events;
using Federation.Resync.Divergence;
using Federation.Storage.Dag;

namespace Federation.Cli.Admin;

/// <summary><c>room inspect</c>: what an operator looks at first when a room misbehaves.</summary>
internal sealed class RoomInspection(DagStore store, DivergenceReportStore reports, TextWriter output)
{
    /// <summary>Members listed by name per membership; larger groups are summarised, so a huge room stays readable.</summary>
    private const int MembersListed = 20;

    /// <summary>Rejected and soft-failed events listed, newest first.</summary>
    private const int FlaggedListed = 50;

    public async Task<int> RunAsync(string roomId, CancellationToken cancellationToken)
    {
        var version = await store.GetRoomVersionAsync(roomId, cancellationToken).ConfigureAwait(false);
        var counts = await store.GetRoomEventCountsAsync(roomId, cancellationToken).ConfigureAwait(false);
        if (version is null || counts is null)
        {
            return await AdminCommands.UnknownRoomAsync(output, roomId).ConfigureAwait(false);
        }

        await Line($"room {roomId} (version {version.Id})").ConfigureAwait(false);
        await Line($"events: {counts.Total} (accepted {counts.Accepted}, soft-failed {counts.SoftFailed}, rejected {counts.Rejected}, " +
            $"outliers {counts.Outliers}); max depth {counts.MaxDepth}").ConfigureAwait(false);

        var extremities = await store.GetForwardExtremitiesAsync(roomId, cancellationToken).ConfigureAwait(false);
        var state = await new StateCalculator(store).CurrentStateAsync(roomId, version, cancellationToken).ConfigureAwait(false);
        await WriteStateAsync(roomId, state, extremities.Count, cancellationToken).ConfigureAwait(false);

        var extremityEvents = await store.GetEventsAsync(roomId, extremities, cancellationToken).ConfigureAwait(false);
        await Line($"forward extremities ({extremities.Count}):").ConfigureAwait(false);
        foreach (var stored in extremityEvents)
        {
            await Line($"  {stored.EventId}  depth {stored.Pdu.Depth}  {stored.Pdu.Type}  {stored.Pdu.Sender}").ConfigureAwait(false);
        }

        var holes = await store.GetHolesAsync(roomId, dueOnly: false, cancellationToken).ConfigureAwait(false);
        await Line($"holes ({holes.Count}):").ConfigureAwait(false);
        foreach (var hole in holes)
        {
            // A lost hole is no longer asked for: when it was given up matters, not its last back-off.
            await Line($"  {hole.EventId}  discovered {Time(hole.DiscoveredAt)}, attempts {hole.Attempts}, " +
                (hole.GivenUpAt is { } givenUp ? $"lost {Time(givenUp)}" : $"next attempt {Time(hole.NextAttemptAt)}") +
                $"{(hole.AskedServers.Count > 0 ? ", asked " + string.Join(' ', hole.AskedServers) : "")}" +
                $"{(hole.LastError is { } error ? ", last error: " + error : "")}").ConfigureAwait(false);
        }

        var flagged = await store.GetRejectedAndSoftFailedAsync(roomId, FlaggedListed, cancellationToken).ConfigureAwait(false);
        await Line($"rejected and soft-failed ({counts.Rejected + counts.SoftFailed}, newest first{(flagged.Count < counts.Rejected + counts.SoftFailed ? $", {flagged.Count} shown" : "")}):")
            .ConfigureAwait(false);
        foreach (var stored in flagged)
        {
            var what = stored.Status == EventStatus.Rejected ? "rejected   " : "soft-failed";
            var reason = stored.Status == EventStatus.Rejected
                ? stored.RejectionReason
                : "allowed by the state before it, not by the room's current state";
            await Line($"  {what}  {stored.EventId}  {stored.Pdu.Type}  {stored.Pdu.Sender}: {reason}").ConfigureAwait(false);
        }

        await DivergenceReportLines.WriteAsync(reports, roomId, output, cancellationToken).ConfigureAwait(false);

        return CliApp.Success;
    }

    private async Task WriteStateAsync(string roomId, RoomState state, int extremities, CancellationToken cancellationToken)
    {
        await Line($"current state (resolved over {extremities} forward extremities): {state.Entries.Count} entries").ConfigureAwait(false);
        foreach (var group in state.Entries.Keys.GroupBy(slot => slot.Type).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            await Line($"  {group.Key}: {group.Count()}").ConfigureAwait(false);
        }

        var memberIds = state.Entries.Where(e => e.Key.Type == EventTypes.Member).Select(e => e.Value).ToArray();
        var members = await store.GetEventsAsync(roomId, memberIds, cancellationToken).ConfigureAwait(false);
        await Line("members by membership:").ConfigureAwait(false);
        foreach (var group in members.GroupBy(m => m.Pdu.Membership ?? "(none)").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var users = group.Select(m => m.Pdu.StateKey!).Order(StringComparer.Ordinal).ToList();
            var listed = string.Join(", ", users.Take(MembersListed));
            await Line($"  {group.Key} {users.Count}: {listed}{(users.Count > MembersListed ? $", … {users.Count - MembersListed} more" : "")}")
                .ConfigureAwait(false);
        }

        if (state[EventTypes.PowerLevels, ""] is { } powerLevelsId
            && (await store.GetEventsAsync(roomId, [powerLevelsId], cancellationToken).ConfigureAwait(false)) is [var powerLevels])
        {
            await Line($"power levels ({powerLevelsId}): {JsonSerializer.Serialize(powerLevels.Pdu.Content)}").ConfigureAwait(false);
        }
        else
        {
            await Line("power levels: none (the creator has 100, everyone else 0)").ConfigureAwait(false);
        }
    }

    private Task Line(string text) => output.WriteLineAsync(text);

    private static string Time(DateTimeOffset? instant) =>
        instant is { } value ? value.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "-";
}
