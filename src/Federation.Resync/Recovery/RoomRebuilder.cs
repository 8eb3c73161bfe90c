using System.Text.Json;
using Federation.Client.Http;
using Federation.Ingest.Checks;
using Federation.Ingest.Holes;
using Federation.Ingest.Outliers;
using Federation.Ingest.State;
using Federation.Ingest.Store;
using Federation.Protocol.Keys;
using Federation.Protocol.RoomVersions;
using Federation.Storage.Dag;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Federation.Resync.Recovery;

/// <summary>
/// Rebuilds a room this server holds nothing of, from the servers of its manifest entry, with standard federation
/// requests only: <c>make_join</c> for a local member (never sent on, so no event is created) names the resident's
/// latest events; the state at each of them is fetched from that server and, to trust no single peer, from others
/// (<c>/state_ids</c> and the events we lack); everything fetched is stored as outliers checked against their own auth
/// events; each latest event is then stored with the resolution of the claimed states as its state before, after our
/// own auth check. Those events become the room's forward extremities and their prev events its holes, which later
/// traffic and gap filling work back from.
/// </summary>
public sealed partial class RoomRebuilder(
    FederationClient client,
    HoleSnapshotFetcher snapshots,
    OutlierPersister outliers,
    HoleStateCalculator claims,
    StateCalculator state,
    DagStore store,
    ServerIdentity identity,
    IOptions<ResyncOptions> options,
    ILogger<RoomRebuilder> logger)
{
    /// <summary>A resident's extremities taken as the room's new ones; more than a handful means a very forked room,
    /// whose other tips arrive with later traffic.</summary>
    private const int MaxAnchors = 5;

    private static readonly string VersionQuery = string.Join('&', RoomVersion.All.Select(v => "ver=" + Uri.EscapeDataString(v.Id)));

    private readonly AuthChecks _auth = new(new StoreEventSource(store));

    public async Task<RoomRebuildResult> RebuildAsync(RecoveryManifestRoom room, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(room);
        var servers = room.Servers.Where(s => s != identity.ServerName).Distinct(StringComparer.Ordinal).ToArray();
        var failures = new List<string>();
        foreach (var server in servers)
        {
            var latest = await LatestEventsAsync(server, room, cancellationToken).ConfigureAwait(false);
            if (latest is null)
            {
                failures.Add($"{server}: make_join refused or failed");
                continue;
            }

            var witnesses = servers.Where(s => s != server).Take(options.Value.RecoveryWitnessServers).ToArray();
            var (anchors, outcome, failure) = await RebuildFromAsync(server, witnesses, room.RoomId, latest.Value, cancellationToken).ConfigureAwait(false);
            if (anchors.Count > 0)
            {
                LogRebuilt(logger, room.RoomId, server, anchors.Count, outcome);
                return new RoomRebuildResult(room.RoomId, outcome, server, anchors, failure);
            }

            failures.Add($"{server}: {failure}");
        }

        var detail = failures.Count == 0 ? "no servers to ask" : string.Join("; ", failures);
        LogFailed(logger, room.RoomId, detail);
        return new RoomRebuildResult(room.RoomId, RoomRebuildOutcome.Failed, null, [], detail);
    }

    private async Task<(List<string> Anchors, RoomRebuildOutcome Outcome, string? Failure)> RebuildFromAsync(
        string server, IReadOnlyList<string> witnesses, string roomId, (RoomVersion Version, IReadOnlyList<string> Events) latest,
        CancellationToken cancellationToken)
    {
        var anchors = new List<string>();
        var outcome = RoomRebuildOutcome.Rebuilt;
        string? failure = null;
        foreach (var anchorId in latest.Events.Order(StringComparer.Ordinal).Take(MaxAnchors))
        {
            var primary = await snapshots.FetchAsync(server, roomId, latest.Version, anchorId, cancellationToken).ConfigureAwait(false);
            if (primary is null)
            {
                failure = $"no state at {anchorId}";
                continue;
            }

            // Stored before the witnesses are asked: the room is then held, so no witness can bring another create event.
            await outliers.PersistAsync(primary.Fetched, cancellationToken).ConfigureAwait(false);
            var claimed = new List<HoleSnapshot> { primary };
            foreach (var witness in witnesses)
            {
                if (await snapshots.FetchAsync(witness, roomId, latest.Version, anchorId, cancellationToken).ConfigureAwait(false) is { } other)
                {
                    await outliers.PersistAsync(other.Fetched, cancellationToken).ConfigureAwait(false);
                    claimed.Add(other);
                }
            }

            var anchor = (await store.GetEventsAsync(roomId, [anchorId], cancellationToken).ConfigureAwait(false)).SingleOrDefault();
            if (anchor is null || anchor.Status == EventStatus.Rejected)
            {
                failure = $"{anchorId} failed its own auth checks or lacks auth events";
                continue;
            }

            var states = new List<RoomState>();
            foreach (var snapshot in claimed)
            {
                states.Add(new RoomState(await claims.ClaimedStateBeforeAsync(roomId, snapshot, cancellationToken).ConfigureAwait(false)));
            }

            // A witness that answered otherwise disputes the claim; one that could not answer leaves it unconfirmed.
            if (!claimed.Skip(1).All(c => SameIds(c.StateIds, primary.StateIds)))
            {
                outcome = RoomRebuildOutcome.Disputed;
            }
            else if (claimed.Count == 1 && outcome == RoomRebuildOutcome.Rebuilt)
            {
                outcome = RoomRebuildOutcome.Unconfirmed;
            }

            var before = states.Count == 1
                ? states[0]
                : await state.ResolveAsync(latest.Version, states, pending: null, cancellationToken).ConfigureAwait(false);
            var allowed = await _auth.AgainstStateAsync(anchor.Pdu, before, cancellationToken).ConfigureAwait(false);
            if (!allowed.IsAccepted)
            {
                failure = $"{anchorId} is not allowed by the state claimed before it: {allowed.Reason}";
                continue;
            }

            await store.PersistEventsAsync(
                [new EventToPersist(anchor.Pdu) { StateBefore = StateBefore.Full(before.Entries) }], cancellationToken).ConfigureAwait(false);
            anchors.Add(anchorId);
        }

        return (anchors, outcome, outcome == RoomRebuildOutcome.Disputed ? "the servers asked claimed different states" : failure);
    }

    /// <summary>The room version and the resident's latest events, from a <c>make_join</c> template.</summary>
    private async Task<(RoomVersion Version, IReadOnlyList<string> Events)?> LatestEventsAsync(
        string server, RecoveryManifestRoom room, CancellationToken cancellationToken)
    {
        foreach (var member in room.LocalMembers)
        {
            using var response = await client.GetAsync(
                server,
                $"/_matrix/federation/v1/make_join/{Uri.EscapeDataString(room.RoomId)}/{Uri.EscapeDataString(member)}?{VersionQuery}",
                cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccess || response.Body!.RootElement is not { ValueKind: JsonValueKind.Object } body)
            {
                continue;
            }

            var versionId = body.TryGetProperty("room_version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : room.RoomVersion;
            if (!RoomVersion.TryGet(versionId, out var version) || version.Id != room.RoomVersion
                || !body.TryGetProperty("event", out var template) || template.ValueKind != JsonValueKind.Object
                || !template.TryGetProperty("prev_events", out var prevs) || prevs.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            var events = prevs.EnumerateArray().Select(PrevEventId).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            if (events.Length > 0)
            {
                return (version, events);
            }
        }

        return null;
    }

    /// <summary>An id of <c>prev_events</c>: a string, or (room versions 1 and 2) the first item of an [id, hashes] pair.</summary>
    private static string? PrevEventId(JsonElement prev) => prev.ValueKind switch
    {
        JsonValueKind.String => prev.GetString(),
        JsonValueKind.Array when prev.GetArrayLength() > 0 && prev[0].ValueKind == JsonValueKind.String => prev[0].GetString(),
        _ => null,
    };

    private static bool SameIds(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.ToHashSet(StringComparer.Ordinal).SetEquals(b);

    [LoggerMessage(EventId = 9410, Level = LogLevel.Information, Message = "Room {RoomId} rebuilt from {Server}: {Anchors} latest events stored ({Outcome})")]
    private static partial void LogRebuilt(ILogger logger, string roomId, string server, int anchors, RoomRebuildOutcome outcome);

    [LoggerMessage(EventId = 9411, Level = LogLevel.Warning, Message = "Room {RoomId} could not be rebuilt: {Detail}")]
    private static partial void LogFailed(ILogger logger, string roomId, string detail);
}
